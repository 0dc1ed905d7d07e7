"""Stage 1 — store and fetch a file through presigned URLs.

The service never carries the bytes: it signs a form that lets the client POST exactly this file
(key, size and content type are fixed by the signature) straight to storage, and a short-lived URL to
GET it back. `send_upload` and `fetch` play the client here; a browser or `curl` does the same.
"""

from _backend import new_user, open_service

fs = open_service()
alice = new_user("alice")
data = b"Quarterly numbers: all up and to the right.\n"

ticket = fs.create_upload(alice, "report.txt", len(data), "text/plain")
print(f"upload form for {ticket.file_id}: POST {ticket.url} with fields {sorted(ticket.fields)}")
print(f"  valid until {ticket.expires_at:%H:%M:%S} UTC")

fs.send_upload(ticket, data)
info = fs.complete_upload(alice, ticket.file_id)
print(f"completed: {info.name}, {info.size} bytes, status {info.status}")

url = fs.download_url(alice, info.file_id, expires_in=60)
print(f"download URL (60 s): {url[:70]}…")
assert fs.fetch(url) == data
print("fetched the same bytes back")
