"""fileshare.Client and fileshare.AsyncClient against the real service (fileshare-server) on
127.0.0.1: on the embedded default, and in AWS mode on the test rig (Cognito, S3 in parts)."""

import asyncio
import datetime
import http.server
import io
import os
import signal
import stat
import threading
import time
import uuid

import pytest

import fileshare
from conftest import PASSWORD

MIB = 1024 * 1024


def pattern(size, seed=0):
    """Bytes that differ from offset to offset, so a misplaced part shows."""
    block = bytes((i * 7 + seed) % 251 for i in range(4096))
    return (block * (size // len(block) + 1))[:size]


def test_upload_list_share_download_delete(login, user, service, tmp_path):
    alice, bob = login("alice"), login("bob")
    assert alice.me().user_id == alice.session.user_id

    # From bytes, from a path (in parts, with progress), from a file object (its own name).
    notes = alice.upload(b"hello bob", name="notes.txt")
    assert (notes.status, notes.access, notes.size, notes.content_type) == ("available", "owner", 9, "text/plain")
    big = pattern(9 * MIB + 7, 1)
    (tmp_path / "big.bin").write_bytes(big)
    seen = []
    uploaded = alice.upload(tmp_path / "big.bin", multipart_threshold=MIB, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (len(big), len(big)) and seen[0] == (0, len(big))
    (tmp_path / "report.csv").write_bytes(b"a,b\n1,2\n")
    with open(tmp_path / "report.csv", "rb") as report:
        csv = alice.upload(report)
    assert (csv.name, csv.content_type) == ("report.csv", "text/csv")
    assert [f.name for f in alice.list_all("owned")] == ["report.csv", "big.bin", "notes.txt"]
    page = alice.list_files(limit=2)
    assert len(page.files) == 2 and alice.list_files(cursor=page.next_cursor).files[0].name == "notes.txt"

    # Shared by name: the grantee sees who shared it and reads it, and may do nothing else.
    bob_name = bob.session.username
    share = alice.share(notes.file_id, bob_name)
    assert share.username == bob_name and share.permission == "read"
    [shared] = bob.list_all("shared")
    assert (shared.access, shared.owner_name) == ("grantee", alice.session.username)
    assert bob.get_bytes(notes.file_id) == b"hello bob"
    with pytest.raises(fileshare.Forbidden) as refused:
        bob.delete(notes.file_id)
    assert (refused.value.status, refused.value.problem_type) == (403, "forbidden")
    shares = alice.list_shares(notes.file_id)
    assert [s.username for s in shares.shares] == [bob_name] and shares.next_cursor is None
    with pytest.raises(fileshare.Forbidden):
        bob.list_shares(notes.file_id)
    alice.unshare(notes.file_id, bob_name)
    with pytest.raises(fileshare.NotFound):
        bob.get_file(notes.file_id)

    # Downloads land whole, under the file's name in a directory, and never over a file unasked.
    out = tmp_path / "out"
    out.mkdir()
    path = alice.download(uploaded.file_id, out)
    assert path == out / "big.bin" and path.read_bytes() == big
    with pytest.raises(fileshare.DestinationExists) as exists:
        alice.download(uploaded.file_id, out)
    assert isinstance(exists.value, FileExistsError) and isinstance(exists.value, fileshare.FileShareError)
    assert alice.download(notes.file_id, path, overwrite=True).read_bytes() == b"hello bob"
    assert [p.name for p in out.iterdir()] == ["big.bin"], "no temporary file left"

    alice.delete(uploaded.file_id)
    with pytest.raises(fileshare.NotFound):
        alice.get_file(uploaded.file_id)
    assert alice.me().used_files == 2


def test_share_links_work_without_an_account(login, service, tmp_path):
    alice = login("alice")
    file = alice.upload(b"for anyone", name="a.txt")
    created = alice.create_link(file.file_id, password="open-sesame", max_downloads=1)
    assert created.url.startswith(f"{service.url}/l/") and created.token in created.url

    stranger = fileshare.Client(service.url)
    info = stranger.link_info(created.url)
    assert (info.name, info.password_required, info.downloads_left) == ("a.txt", True, 1)
    with pytest.raises(fileshare.WrongPassword):
        stranger.download_link(created.url, tmp_path, password="guess-guess")
    assert stranger.download_link(created.url, tmp_path, password="open-sesame").read_bytes() == b"for anyone"
    with pytest.raises(fileshare.NotFound):
        stranger.link_info(created.url)  # used up
    [link] = alice.list_links(file.file_id)
    assert (link.downloads, link.max_downloads) == (1, 1)
    alice.revoke_link(link.link_id)


def test_refusals_are_exceptions_callers_can_act_on(login, service, user, tmp_path):
    nobody = fileshare.Client(service.url)
    with pytest.raises(fileshare.AuthenticationError):
        nobody.me()
    with pytest.raises(fileshare.AuthenticationError) as wrong:
        nobody.login(user("alice"), "Wrong-password-123")
    assert wrong.value.status == 401

    alice = login("alice")
    with pytest.raises(FileNotFoundError):
        alice.upload(tmp_path / "missing.bin")
    with pytest.raises(fileshare.InvalidInput):
        alice.share("01JDQ7Z3V6Y0000000000000AA", "bob", expires_at=datetime.datetime(2030, 1, 1))  # naive
    with pytest.raises(fileshare.InvalidInput):
        alice.list_files(scope="mine")
    with pytest.raises(fileshare.InvalidInput):
        alice.upload(b"no name")
    with pytest.raises(TypeError):
        alice.upload(42)

    # Over quota (set by the operator): refused with the figures; nothing kept.
    service.operator("quota", "set", alice.session.username, "--bytes", "1MiB", "--files", "5")
    alice.upload(b"x" * (MIB // 2), name="half.bin")
    with pytest.raises(fileshare.QuotaExceeded) as over:
        alice.upload(b"x" * MIB, name="big.bin")
    assert (over.value.size, over.value.used_bytes, over.value.quota) == (MIB, MIB // 2, fileshare.Quota(bytes=MIB, files=5))
    me = alice.me()
    assert (me.used_bytes, me.used_files, me.quota.bytes) == (MIB // 2, 1, MIB)


def test_a_progress_callback_that_raises_stops_the_upload_and_leaves_nothing(login):
    alice = login("alice")

    def stop(done, total):
        if done > 0:
            raise ZeroDivisionError("stop here")

    with pytest.raises(ZeroDivisionError, match="stop here"):
        alice.upload(pattern(24 * MIB), name="big.bin", multipart_threshold=8 * MIB, progress=stop)
    deadline = time.monotonic() + 5
    while alice.me().used_files and time.monotonic() < deadline:
        time.sleep(0.1)
    assert alice.me().used_files == 0, "the stopped upload's pending file was deleted"


def test_ctrl_c_stops_a_transfer_and_leaves_nothing(login):
    alice = login("alice")
    huge = pattern(512 * MIB)
    seen = []
    # Python's own Ctrl-C handler, even where the test runs with SIGINT ignored (a background job).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            alice.upload(huge, name="huge.bin", multipart_threshold=8 * MIB, progress=lambda d, t: seen.append(d))
    finally:
        signal.signal(signal.SIGINT, previous)
    assert 0 < max(seen) < len(huge), "interrupted mid-transfer"
    assert time.monotonic() - started < 10, "stopped promptly"
    deadline = time.monotonic() + 5
    while alice.me().used_files and time.monotonic() < deadline:
        time.sleep(0.1)
    assert alice.me().used_files == 0


def test_transfers_release_the_gil(login):
    alice = login("alice")
    ticks = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    try:
        file = alice.upload(pattern(32 * MIB), name="big.bin", multipart_threshold=8 * MIB)
        alice.get_bytes(file.file_id)
    finally:
        stop.set()
        counter.join()
    assert len(ticks) > 20, "Python ran while the bytes moved"


def test_sessions_live_in_the_cli_store(service, user, tmp_path, monkeypatch):
    config = tmp_path / "config"
    client = fileshare.Client(service.url, config_dir=config)
    name = user("alice")
    client.signup(name, PASSWORD)
    session = client.login(name, PASSWORD)
    credentials = config / "credentials.json"
    assert stat.S_IMODE(os.stat(credentials).st_mode) == 0o600

    # What `fileshare login` stored, a program reads from the environment the CLI reads.
    monkeypatch.setenv("FILESHARE_ENDPOINT", service.url)
    monkeypatch.setenv("FILESHARE_CONFIG_DIR", str(config))
    from_env = fileshare.Client.from_env()
    assert from_env.session.user_id == session.user_id
    assert from_env.me().username == name
    assert from_env.logout() is True
    assert fileshare.Client.from_env().session is None


def test_async_client_runs_calls_at_once_and_cancels(login):
    alice = login("alice", cls=fileshare.AsyncClient)

    async def main():
        files = await asyncio.gather(*(alice.upload(pattern(MIB, i), name=f"f{i}.bin") for i in range(4)))
        assert sorted(f.name for f in await alice.list_all()) == ["f0.bin", "f1.bin", "f2.bin", "f3.bin"]
        assert await alice.get_bytes(files[2].file_id) == pattern(MIB, 2)
        for file in files:
            await alice.delete(file.file_id)
        # Cancelled mid-way: the upload stops, and its pending file is deleted.
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(alice.upload(pattern(256 * MIB), name="huge.bin", multipart_threshold=8 * MIB), 0.3)
        for _ in range(50):
            if (await alice.me()).used_files == 0:
                return
            await asyncio.sleep(0.1)
        raise AssertionError("the cancelled upload's pending file is still there")

    asyncio.run(main())


def test_cognito_login_and_multipart_to_s3(aws_service, tmp_path):
    client = fileshare.Client(
        aws_service.url,
        cognito_client_id=aws_service.cognito_client_id,
        cognito_endpoint=aws_service.cognito_endpoint + "/",
    )
    email = f"carol-{uuid.uuid4().hex[:8]}@example.com"
    assert client.signup(email, PASSWORD + "!") is None, "awaits confirmation"
    client.confirm(email, "123456")  # the rig's Cognito takes any code
    with pytest.raises(fileshare.AuthenticationError):
        client.login(email, "Wrong-Password-1!")
    session = client.login(email, PASSWORD + "!")
    assert client.me().user_id == session.user_id

    big = pattern(17 * MIB + 5, 3)
    seen = []
    file = client.upload(big, name="big.bin", multipart_threshold=10 * MIB, progress=lambda d, t: seen.append(d))
    assert seen[-1] == len(big)
    assert client.download(file.file_id, tmp_path / "copy.bin").read_bytes() == big
    link = client.create_link(file.file_id)
    assert fileshare.Client(aws_service.url).download_link(link.url, tmp_path / "linked.bin").read_bytes() == big
    client.delete(file.file_id)
    assert client.logout() is True
    with pytest.raises(fileshare.AuthenticationError):
        client.me()


def test_a_stream_that_cannot_seek_needs_its_size(login):
    alice = login("alice")

    class Pipe(io.RawIOBase):
        def __init__(self, data):
            self.data = io.BytesIO(data)

        def readable(self):
            return True

        def read(self, n=-1):
            return self.data.read(n)

    data = pattern(10 * MIB + 3, 4)
    with pytest.raises(fileshare.InvalidInput):
        alice.upload(Pipe(data), name="piped.bin")
    file = alice.upload(Pipe(data), name="piped.bin", size=len(data))
    assert alice.get_bytes(file.file_id) == data


def test_a_stream_is_read_to_its_size_and_its_own_errors_surface(login):
    alice = login("alice")

    class Pipe(io.RawIOBase):
        def __init__(self, data, fail_after=None):
            self.data, self.fail_after = io.BytesIO(data), fail_after

        def readable(self):
            return True

        def read(self, n=-1):
            if self.fail_after is not None and self.data.tell() >= self.fail_after:
                raise ConnectionResetError("the pipe broke")
            return self.data.read(n)

    # Only `size` bytes are read: what follows stays in the stream for the caller.
    pipe = Pipe(b"head" + b"-rest of the stream")
    file = alice.upload(pipe, name="head.txt", size=4)
    assert alice.get_bytes(file.file_id) == b"head"
    assert pipe.data.read() == b"-rest of the stream"

    # The stream's own exception is raised, as it was; nothing is left behind.
    broken = Pipe(pattern(20 * MIB), fail_after=9 * MIB)
    with pytest.raises(ConnectionResetError, match="the pipe broke"):
        alice.upload(broken, name="broken.bin", size=20 * MIB)
    assert alice.me().used_files == 1


class _Gateway(http.server.BaseHTTPRequestHandler):
    """API Gateway throttling every request, as it answers for itself: `{"message": …}`, no Retry-After."""

    seen = 0

    def _refuse(self):
        type(self).seen += 1
        self.rfile.read(int(self.headers.get("content-length") or 0))
        body = b'{"message":"Too Many Requests"}'
        self.send_response(429)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _refuse

    def log_message(self, *args):
        pass


def test_a_gateway_that_keeps_throttling_is_tried_again_then_said_in_words():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with pytest.raises(fileshare.RateLimited) as throttled:
            fileshare.Client(base).link_info(f"{base}/l/ABCDEFGHIJKLMNOPQRSTUV.secret")
    finally:
        server.shutdown()
        server.server_close()
    assert _Gateway.seen == 4, "the first try and three more, each after a pause"
    assert "The service is busy" in str(throttled.value) and throttled.value.retry_after is None
    assert throttled.value.status == 429
