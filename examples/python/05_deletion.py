"""Stage 5 — deletion.

Only the owner deletes. The record and every share go first, atomically, so nothing ever points at
missing bytes; then the bytes. Deleting twice is NotFound.
"""

import fileshare
from _backend import new_user, open_service

fs = open_service()
alice, bob = new_user("alice"), new_user("bob")
info = fs.put_bytes(alice, "old.txt", b"to be deleted")
fs.share(alice, info.file_id, bob)

fs.delete(alice, info.file_id)
print(f"deleted {info.file_id}")
for who in (alice, bob):
    try:
        fs.get_file(who, info.file_id)
    except fileshare.NotFound:
        print(f"{who.split('-')[0]}: NotFound")
print(f"bob's shared list: {fs.list_files(bob, scope='shared').files}")
try:
    fs.delete(alice, info.file_id)
except fileshare.NotFound as error:
    print(f"deleting again: NotFound ({error})")
