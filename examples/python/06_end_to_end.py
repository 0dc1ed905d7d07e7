"""Stage 6 — the whole flow: upload, list, share, download, revoke, delete — with asyncio.

The same service as coroutines (`AsyncFileShare`): many operations at once with `asyncio.gather`.
"""

import asyncio

import fileshare
from _backend import new_user, open_service


async def main() -> None:
    fs = open_service().as_async()
    alice, bob = new_user("alice"), new_user("bob")

    tickets = await asyncio.gather(*(fs.create_upload(alice, f"chapter-{i}.txt", 9, "text/plain") for i in range(3)))
    await asyncio.gather(*(fs.send_upload(t, f"chapter {i}".encode()) for i, t in enumerate(tickets)))
    files = await asyncio.gather(*(fs.complete_upload(alice, t.file_id) for t in tickets))
    print(f"uploaded {[f.name for f in files]}")

    await asyncio.gather(*(fs.share(alice, f.file_id, bob) for f in files))
    shared = await fs.list_files(bob, scope="shared")
    print(f"bob sees {len(shared.files)} shared files")

    urls = await asyncio.gather(*(fs.download_url(bob, f.file_id) for f in files))
    contents = await asyncio.gather(*(fs.fetch(u) for u in urls))
    print(f"bob downloaded {sorted(c.decode() for c in contents)}")

    await fs.unshare(alice, files[0].file_id, bob)
    try:
        await fs.get_file(bob, files[0].file_id)
    except fileshare.NotFound:
        print("revoked: bob gets NotFound for chapter-0")

    await asyncio.gather(*(fs.delete(alice, f.file_id) for f in files))
    print(f"deleted; alice owns {len((await fs.list_files(alice, scope='owned')).files)} files")


asyncio.run(main())
