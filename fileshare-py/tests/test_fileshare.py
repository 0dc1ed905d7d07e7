"""The Python API on every backend: flows, rules, errors, types."""

import asyncio
import http.server
import threading
from datetime import datetime, timedelta, timezone

import pytest

import fileshare
from conftest import make


def test_presigned_upload_complete_and_download(fs, user):
    alice = user("alice")
    data = bytes(range(256)) * 400
    ticket = fs.create_upload(alice, "résumé 2026 — 東京.pdf", len(data), "application/pdf")
    assert ticket.headers["if-none-match"] == "*" and ticket.url and ticket.expires_at.tzinfo is not None
    with pytest.raises(fileshare.Conflict):
        fs.complete_upload(alice, ticket.file_id)
    with pytest.raises(fileshare.FileShareError):
        fs.send_upload(ticket, data[:-1])  # the URL pins the exact size
    fs.send_upload(ticket, data)
    info = fs.complete_upload(alice, ticket.file_id)
    assert (info.status, info.size, info.name, info.access) == ("available", len(data), "résumé 2026 — 東京.pdf", "owner")
    assert fs.fetch(fs.download_url(alice, info.file_id, expires_in=60)) == data
    with pytest.raises(fileshare.Conflict):
        fs.send_upload(ticket, bytes(len(data)))  # bytes are stored once: a replay is refused
    assert fs.fetch(fs.download_url(alice, info.file_id)) == data


def test_file_info_attributes(fs, user):
    alice = user("alice")
    info = fs.put_bytes(alice, "notes.txt", b"hello")
    assert info.content_type == "text/plain"  # guessed from the name
    assert isinstance(info.created_at, datetime) and info.created_at.tzinfo is not None
    assert info.owner == alice and info.shared_with is None
    assert fs.get_file(alice, info.file_id).shared_with == []
    assert fs.get_bytes(alice, info.file_id) == b"hello"
    assert "notes.txt" in repr(info)


def test_sharing_rules(fs, user):
    alice, bob, mallory = user("alice"), user("bob"), user("mallory")
    info = fs.put_bytes(alice, "plan.txt", b"the plan")
    share = fs.share(alice, info.file_id, bob, expires_at=datetime.now(timezone.utc) + timedelta(days=1))
    assert share.permission == "read" and share.expires_at is not None
    assert [s.user_id for s in fs.get_file(alice, info.file_id).shared_with] == [bob]
    assert fs.get_file(bob, info.file_id).access == "grantee"
    assert fs.get_bytes(bob, info.file_id) == b"the plan"
    with pytest.raises(fileshare.Forbidden):
        fs.delete(bob, info.file_id)
    with pytest.raises(fileshare.NotFound):
        fs.get_file(mallory, info.file_id)
    with pytest.raises(fileshare.InvalidInput):
        fs.share(alice, info.file_id, alice)
    fs.unshare(alice, info.file_id, bob)
    with pytest.raises(fileshare.NotFound):
        fs.download_url(bob, info.file_id)
    with pytest.raises(fileshare.NotFound):
        fs.unshare(alice, info.file_id, bob)
    fs.delete(alice, info.file_id)
    with pytest.raises(fileshare.NotFound):
        fs.delete(alice, info.file_id)


def test_shares_come_a_page_at_a_time(fs, user):
    alice = user("alice")
    info = fs.put_bytes(alice, "popular.txt", b"read me")
    grantees = sorted(user(f"g{i}") for i in range(5))
    for grantee in grantees:
        fs.share(alice, info.file_id, grantee)
    first = fs.list_shares(alice, info.file_id, limit=3)
    assert isinstance(first, fileshare.SharePage) and first.next_cursor is not None
    rest = fs.list_shares(alice, info.file_id, cursor=first.next_cursor)
    assert rest.next_cursor is None
    assert [s.user_id for s in first.shares + rest.shares] == grantees
    owner_view = fs.get_file(alice, info.file_id)
    assert len(owner_view.shared_with) == 5 and owner_view.shares_next_cursor is None
    with pytest.raises(fileshare.Forbidden):
        fs.list_shares(grantees[0], info.file_id)
    with pytest.raises(fileshare.InvalidInput):
        fs.list_shares(alice, info.file_id, limit=101)
    with pytest.raises(fileshare.InvalidInput):
        fs.list_shares(alice, info.file_id, cursor="forged")


def test_listing_pages_and_iteration(fs, user):
    alice, bob = user("alice"), user("bob")
    mine = [fs.put_bytes(alice, f"mine-{i}.txt", b"x").file_id for i in range(5)]
    theirs = fs.put_bytes(bob, "theirs.txt", b"y").file_id
    fs.share(bob, theirs, alice)
    page = fs.list_files(alice, scope="owned", limit=2)
    assert len(page.files) == 2 and page.next_cursor
    rest = fs.list_files(alice, scope="owned", limit=10, cursor=page.next_cursor)
    listed = page.files + rest.files
    assert {f.file_id for f in listed} == set(mine) and len(listed) == len(mine)
    order = [(f.created_at, f.file_id) for f in listed]
    assert order == sorted(order, reverse=True), "newest first, by (created_at, id)"
    assert rest.next_cursor is None
    assert [f.file_id for f in fs.list_files(alice, scope="shared").files] == [theirs]
    assert {f.file_id for f in fs.iter_files(alice, page_size=2)} == set(mine) | {theirs}


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda fs, u: fs.create_upload(u, "", 1, "text/plain"), fileshare.InvalidInput),
        (lambda fs, u: fs.create_upload(u, "a/b", 1, "text/plain"), fileshare.InvalidInput),
        (lambda fs, u: fs.create_upload(u, "a\x00b", 1, "text/plain"), fileshare.InvalidInput),
        (lambda fs, u: fs.create_upload(u, "x" * 256, 1, "text/plain"), fileshare.InvalidInput),
        (lambda fs, u: fs.create_upload(u, "a", 0, "text/plain"), fileshare.InvalidInput),
        (lambda fs, u: fs.create_upload(u, "a", -5, "text/plain"), fileshare.InvalidInput),
        (lambda fs, u: fs.create_upload(u, "a", 6 * 1024**3, "text/plain"), fileshare.TooLarge),
        (lambda fs, u: fs.create_upload(u, "a", 2**80, "text/plain"), fileshare.TooLarge),
        (lambda fs, u: fs.create_upload(u, "a", 1, "text"), fileshare.InvalidInput),
        (lambda fs, u: fs.create_upload("../etc", "a", 1, "text/plain"), fileshare.InvalidInput),
        (lambda fs, u: fs.get_file(u, "not-an-id"), fileshare.InvalidInput),
        (lambda fs, u: fs.get_file(u, "01ARZ3NDEKTSV4RRFFQ69G5FAV"), fileshare.NotFound),
        (lambda fs, u: fs.list_files(u, scope="everything"), fileshare.InvalidInput),
        (lambda fs, u: fs.list_files(u, limit=0), fileshare.InvalidInput),
        (lambda fs, u: fs.list_files(u, cursor="garbage"), fileshare.InvalidInput),
        (lambda fs, u: fs.download_url(u, "01ARZ3NDEKTSV4RRFFQ69G5FAV", expires_in=-1), fileshare.InvalidInput),
        (lambda fs, u: fs.share(u, "01ARZ3NDEKTSV4RRFFQ69G5FAV", "bob", expires_at=datetime(2030, 1, 1)), fileshare.InvalidInput),
    ],
)
def test_bad_input_raises_the_documented_exception(fs, user, call, error):
    with pytest.raises(error) as raised:
        call(fs, user("u"))
    assert str(raised.value), "errors carry a message"
    assert fs.list_files(user("u")).files == [], "nothing was created"


def test_invalid_input_is_a_value_error(fs, user):
    with pytest.raises(ValueError):
        fs.create_upload(user("u"), "", 1, "text/plain")


def test_every_exception_is_a_fileshare_error(backend, tmp_path, user):
    """Each exception, raised for real by the service, is caught by `except FileShareError`."""
    strict = make(fileshare.FileShare, backend, tmp_path, allowed_content_types=["image/*"])
    alice, bob = user("alice"), user("bob")
    photo = strict.put_bytes(alice, "p.png", b"png")
    strict.share(alice, photo.file_id, bob)
    pending = strict.create_upload(alice, "q.png", 10, "image/png")
    triggers = {
        fileshare.NotFound: lambda: strict.get_file(bob, "01ARZ3NDEKTSV4RRFFQ69G5FAV"),
        fileshare.Forbidden: lambda: strict.delete(bob, photo.file_id),
        fileshare.InvalidInput: lambda: strict.share(alice, photo.file_id, alice),
        fileshare.Conflict: lambda: strict.complete_upload(alice, pending.file_id),
        fileshare.TooLarge: lambda: strict.create_upload(alice, "big.png", 10 * 1024**3, "image/png"),
        fileshare.UnsupportedContentType: lambda: strict.put_bytes(alice, "a.exe", b"MZ", "application/x-msdownload"),
        fileshare.StorageError: lambda: fileshare.FileShare.aws(
            bucket="b", table="t", s3_endpoint_url="http://127.0.0.1:9", dynamodb_endpoint_url="http://127.0.0.1:9"
        ).get_file(alice, photo.file_id),
    }
    for expected, trigger in triggers.items():
        try:
            trigger()
        except fileshare.FileShareError as caught:
            assert type(caught) is expected, f"{expected.__name__}: got {type(caught).__name__}: {caught}"
        else:
            pytest.fail(f"{expected.__name__} was not raised")


class _Storage(http.server.BaseHTTPRequestHandler):
    """A storage server that answers every request with the status its path names."""

    def do_GET(self):
        self.send_response(int(self.path.strip("/")))
        self.send_header("content-length", "0")
        self.end_headers()

    do_PUT = do_GET

    def log_message(self, *args):
        pass


def test_storage_refusals_over_http_map_by_status(tmp_path):
    """Over HTTP (S3), what storage answers decides the exception: retry only what may pass."""
    fs = make(fileshare.FileShare, "aws", tmp_path)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Storage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        for status, expected in [
            (403, fileshare.Forbidden),
            (404, fileshare.NotFound),
            (400, fileshare.InvalidInput),
            (412, fileshare.Conflict),
            (500, fileshare.TransientError),
            (503, fileshare.TransientError),
            (429, fileshare.TransientError),
        ]:
            with pytest.raises(expected):
                fs.fetch(f"{base}/{status}")
    finally:
        server.shutdown()
        server.server_close()
    with pytest.raises(fileshare.TransientError):
        fs.fetch(base + "/200")  # nobody listens any more: a network failure
    assert issubclass(fileshare.TransientError, fileshare.StorageError)


def test_async_api_runs_concurrently(backend, tmp_path, user):
    service = make(fileshare.AsyncFileShare, backend, tmp_path)
    alice, bob = user("alice"), user("bob")

    async def scenario():
        infos = await asyncio.gather(*(service.put_bytes(alice, f"f{i}.txt", f"#{i}".encode()) for i in range(20)))
        await asyncio.gather(*(service.share(alice, info.file_id, bob) for info in infos))
        contents = await asyncio.gather(*(service.get_bytes(bob, info.file_id) for info in infos))
        assert sorted(contents) == sorted(f"#{i}".encode() for i in range(20))
        page = await service.list_files(bob, scope="shared", limit=100)
        assert len(page.files) == 20
        ticket = await service.create_upload(alice, "a.txt", 3, "text/plain")
        await service.send_upload(ticket, b"abc")
        done = await service.complete_upload(alice, ticket.file_id)
        url = await service.download_url(alice, done.file_id)
        assert await service.fetch(url) == b"abc"
        with pytest.raises(fileshare.NotFound):
            await service.get_file(bob, done.file_id)
        await service.delete(alice, done.file_id)

    asyncio.run(scenario())


def test_sync_and_async_share_one_service(fs, user):
    alice = user("alice")
    info = fs.put_bytes(alice, "a.txt", b"same")
    async def read():
        return await fs.as_async().get_bytes(alice, info.file_id)

    assert asyncio.run(read()) == b"same"
