"""Stage 2 — metadata: get a file, list files page by page.

Listings are newest first and paginated by an opaque cursor; each page is one indexed query, whatever
the number of files. `iter_files` walks every page for you.
"""

from _backend import new_user, open_service

fs = open_service()
alice = new_user("alice")
for i in range(5):
    fs.put_bytes(alice, f"photo-{i}.png", b"\x89PNG" + bytes([i]))

info = fs.get_file(alice, fs.list_files(alice, limit=1).files[0].file_id)
print(f"get_file: {info.name} ({info.content_type}, {info.size} bytes), created {info.created_at:%Y-%m-%d %H:%M:%S} UTC")

page = fs.list_files(alice, scope="owned", limit=2)
print(f"first page: {[f.name for f in page.files]}, more: {page.next_cursor is not None}")
page = fs.list_files(alice, scope="owned", limit=2, cursor=page.next_cursor)
print(f"second page: {[f.name for f in page.files]}")
names = [f.name for f in fs.iter_files(alice, scope="owned", page_size=2)]
print(f"all, via iter_files: {names}")
assert len(names) == 5
