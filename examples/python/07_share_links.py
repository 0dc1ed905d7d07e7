"""Stage 7 — share links.

Hand a file to anyone, no account needed, until an expiry or a number of downloads runs out,
optionally behind a password. The token is shown once (the store keeps only its hash), and every
dead link — unknown, revoked, expired, used up — raises the same NotFound.
"""

from datetime import datetime, timedelta, timezone

import fileshare
from _backend import new_user, open_service

fs = open_service()
alice = new_user("alice")
info = fs.put_bytes(alice, "slides.pdf", b"the slides")

created = fs.create_link(alice, info.file_id, max_downloads=2, expires_at=datetime.now(timezone.utc) + timedelta(days=7))
print(f"link token (shown once): {created.token[:40]}…")

# Whoever holds the token, with no account, sees what it hands out and redeems it.
details = fs.link_info(created.token)
print(f"{details.name} ({details.size} bytes), {details.downloads_left} downloads left")
for n in (1, 2, 3):
    try:
        print(f"download {n}: {fs.fetch(fs.redeem_link(created.token))!r}")
    except fileshare.NotFound as error:
        print(f"download {n}: NotFound: {error}")

guarded = fs.create_link(alice, info.file_id, password="open sesame")
try:
    fs.redeem_link(guarded.token, "open says me")
except fileshare.WrongPassword:
    print("wrong password: WrongPassword, no URL")
print(f"right password: {fs.fetch(fs.redeem_link(guarded.token, 'open sesame'))!r}")

fs.revoke_link(alice, guarded.link.link_id)
try:
    fs.redeem_link(guarded.token, "open sesame")
except fileshare.NotFound:
    print("revoked: NotFound, at once")
print(f"alice's links: {[(link.downloads, link.max_downloads) for link in fs.list_links(alice, info.file_id)]}")
