"""Stage 8 — a client of the running service.

Stages 1–7 ran the service in this process. A deployed service — `./scripts/run` on this machine,
or the SAM stack on AWS — is used through its HTTP API, and `fileshare.Client` speaks it: it logs
in (the service's own accounts, or Cognito's), refreshes its token when it expires, and sends the
bytes straight to storage — large files in parts, in parallel, each part retried if it fails.

    ./scripts/run                               # in one terminal
    python examples/python/08_client.py         # in another

Against a deployment, set what the `fileshare` CLI reads: FILESHARE_ENDPOINT (the stack's ApiUrl),
FILESHARE_COGNITO_CLIENT_ID and FILESHARE_COGNITO_REGION. A Cognito sign-up is confirmed with the code
Cognito e-mails (asked for here, or taken from FILESHARE_CONFIRMATION_CODE).
"""

import os
import sys
import tempfile
import uuid
from pathlib import Path

import fileshare

PASSWORD = "correct-Horse-battery-9!"
MIB = 1024 * 1024


def new_account(name):
    """A client of the service, signed up and logged in as a new person."""
    client = fileshare.Client.from_env()  # FILESHARE_ENDPOINT, Cognito if configured
    cognito = os.environ.get("FILESHARE_COGNITO_CLIENT_ID")
    username = f"{name}-{uuid.uuid4().hex[:8]}" + ("@example.com" if cognito else "")
    if client.signup(username, PASSWORD) is None:  # Cognito: the account waits for its code
        code = os.environ.get("FILESHARE_CONFIRMATION_CODE") or input(f"the code Cognito sent {username}: ")
        client.confirm(username, code)
    client.login(username, PASSWORD)
    return client


try:
    alice = new_account("alice")
except fileshare.TransientError as error:
    sys.exit(f"no fileshare service to talk to ({error}): start one with ./scripts/run")
bob = new_account("bob")
print(f"alice is {alice.session.username} ({alice.session.user_id}) at {alice.endpoint}")

with tempfile.TemporaryDirectory() as work:
    # 20 MiB from disk: above 16 MiB it goes in parts, straight to storage.
    video = Path(work) / "holiday.mp4"
    video.write_bytes(os.urandom(20 * MIB))
    marks = set()

    def progress(done, total):
        quarter = done * 4 // total
        if quarter not in marks:
            marks.add(quarter)
            print(f"  uploaded {done // MIB} of {total // MIB} MiB")

    file = alice.upload(video, multipart_threshold=16 * MIB, progress=progress)
    print(f"uploaded {file.name}: {file.size} bytes, {file.content_type}, {file.status}")
    me = alice.me()
    limit = f"{me.quota.bytes // MIB} MiB" if me.quota.bytes is not None else "no limit"
    print(f"alice stores {me.used_files} file(s), {me.used_bytes // MIB} MiB of {limit}")

    # Shared with bob by name; he lists it, and downloads it whole (into a temporary file first).
    alice.share(file.file_id, bob.session.username)
    [shared] = bob.list_all("shared")
    print(f"bob sees {shared.name} from {shared.owner_name}")
    copy = bob.download(shared.file_id, Path(work) / "copy.mp4")
    assert copy.read_bytes() == video.read_bytes()
    print(f"bob downloaded it to {copy.name}: the same bytes")
    try:
        bob.delete(file.file_id)
    except fileshare.Forbidden as error:
        print(f"bob deleting it: Forbidden ({error.status} {error.problem_type})")

    # A link for anyone, no account needed: two downloads at most.
    link = alice.create_link(file.file_id, max_downloads=2)
    stranger = fileshare.Client(alice.endpoint)
    details = stranger.link_info(link.url)
    print(f"the link hands out {details.name}, {details.downloads_left} downloads left")
    stranger.download_link(link.url, Path(work) / "via-link.mp4")

alice.delete(file.file_id)
for client in (alice, bob):
    client.logout()
print("deleted, and both logged out")
