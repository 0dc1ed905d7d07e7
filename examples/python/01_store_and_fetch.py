"""Stage 1 — store and fetch a file through presigned URLs.

The service never carries the bytes: it signs a URL that lets the client PUT exactly this file
(key, size and headers are fixed by the signature) straight to storage, once, and a short-lived URL to
GET it back. `send_upload` and `fetch` play the client here; a browser or `curl` does the same.
"""

import fileshare
from _backend import new_user, open_service

fs = open_service()
alice = new_user("alice")
data = b"Quarterly numbers: all up and to the right.\n"

ticket = fs.create_upload(alice, "report.txt", len(data), "text/plain")
print(f"upload {ticket.file_id}: PUT {ticket.url} with headers {ticket.headers}")
print(f"  valid until {ticket.expires_at:%H:%M:%S} UTC")

fs.send_upload(ticket, data)
try:
    fs.send_upload(ticket, data)
except fileshare.Conflict:
    print("the same URL again is refused: a file's bytes are written once")
info = fs.complete_upload(alice, ticket.file_id)
print(f"completed: {info.name}, {info.size} bytes, status {info.status}")

url = fs.download_url(alice, info.file_id, expires_in=60)
print(f"download URL (60 s): {url[:70]}…")
assert fs.fetch(url) == data
print("fetched the same bytes back")
