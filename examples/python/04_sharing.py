"""Stage 4 — sharing and revocation.

Only the owner shares. A grantee may read (metadata, bytes, download links) but not share or delete;
anyone else is told the file does not exist. Revocation is immediate; shares can expire.
"""

from datetime import datetime, timedelta, timezone

import fileshare
from _backend import new_user, open_service

fs = open_service()
alice, bob, mallory = new_user("alice"), new_user("bob"), new_user("mallory")
info = fs.put_bytes(alice, "plan.txt", b"the plan")

share = fs.share(alice, info.file_id, bob, expires_at=datetime.now(timezone.utc) + timedelta(days=7))
print(f"shared with bob until {share.expires_at:%Y-%m-%d}")
print(f"bob sees: {[f.name for f in fs.list_files(bob, scope='shared').files]}, reads: {fs.get_bytes(bob, info.file_id)!r}")

for who, action in [("bob", lambda: fs.delete(bob, info.file_id)), ("mallory", lambda: fs.get_file(mallory, info.file_id))]:
    try:
        action()
    except fileshare.FileShareError as error:
        print(f"{who}: {type(error).__name__}: {error}")

print(f"alice's view: shared with {[s.user_id for s in fs.get_file(alice, info.file_id).shared_with]}")
fs.unshare(alice, info.file_id, bob)
try:
    fs.download_url(bob, info.file_id)
except fileshare.NotFound:
    print("after unshare, bob gets NotFound")
