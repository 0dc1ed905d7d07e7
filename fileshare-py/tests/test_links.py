"""Share links from Python, on every backend: typed results, the documented exceptions."""

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

import fileshare
from conftest import make


def test_a_link_hands_out_the_file_until_its_limit(fs, user):
    alice = user("alice")
    info = fs.put_bytes(alice, "plans.txt", b"the plans")
    created = fs.create_link(alice, info.file_id, max_downloads=2, expires_at=datetime.now(timezone.utc) + timedelta(days=1))
    assert isinstance(created, fileshare.CreatedLink) and isinstance(created.link, fileshare.Link)
    assert created.token.startswith(created.link.link_id + ".")
    assert "secret" in repr(created) and created.token not in repr(created)
    details = fs.link_info(created.token)
    assert (details.name, details.size, details.downloads_left, details.password_required) == ("plans.txt", 9, 2, False)
    for _ in range(2):
        assert fs.fetch(fs.redeem_link(created.token)) == b"the plans"
    with pytest.raises(fileshare.NotFound):
        fs.redeem_link(created.token)
    (listed,) = fs.list_links(alice, info.file_id)
    assert (listed.link_id, listed.downloads, listed.max_downloads) == (created.link.link_id, 2, 2)


def test_passwords_revocation_and_owner_only(fs, user):
    alice, bob = user("alice"), user("bob")
    info = fs.put_bytes(alice, "secret.txt", b"s3cr3t")
    created = fs.create_link(alice, info.file_id, password="open sesame")
    with pytest.raises(fileshare.WrongPassword):
        fs.redeem_link(created.token)
    with pytest.raises(fileshare.WrongPassword):
        fs.redeem_link(created.token, "open says me")
    assert fs.fetch(fs.redeem_link(created.token, "open sesame")) == b"s3cr3t"
    with pytest.raises(fileshare.NotFound):
        fs.create_link(bob, info.file_id)
    with pytest.raises(fileshare.NotFound):
        fs.revoke_link(bob, created.link.link_id)
    fs.revoke_link(alice, created.link.link_id)
    with pytest.raises(fileshare.NotFound):
        fs.link_info(created.token)
    with pytest.raises(fileshare.NotFound):
        fs.revoke_link(alice, created.link.link_id)


def test_bad_link_input_raises_invalid_input(fs, user):
    alice = user("alice")
    info = fs.put_bytes(alice, "a.txt", b"a")
    past = datetime.now(timezone.utc) - timedelta(seconds=1)
    for kwargs in ({"max_downloads": 0}, {"max_downloads": -1}, {"password": "short"}, {"expires_at": past}):
        with pytest.raises(fileshare.InvalidInput):
            fs.create_link(alice, info.file_id, **kwargs)
    with pytest.raises(fileshare.InvalidInput):
        fs.create_link(alice, info.file_id, expires_at=datetime(2030, 1, 1))  # naive
    with pytest.raises(fileshare.InvalidInput):
        fs.redeem_link("not-a-token")
    with pytest.raises(fileshare.InvalidInput):
        fs.revoke_link(alice, "not-a-link-id")


def test_rationed_guesses_raise_too_many_attempts(user):
    fs = fileshare.FileShare.memory()
    alice = user("alice")
    created = fs.create_link(alice, fs.put_bytes(alice, "a.txt", b"a").file_id, password="the right one")
    for guess in range(5):
        with pytest.raises(fileshare.WrongPassword):
            fs.redeem_link(created.token, f"guess {guess}")
    with pytest.raises(fileshare.TooManyAttempts, match="try again in"):
        fs.redeem_link(created.token, "the right one")


def test_async_redemptions_never_exceed_the_limit(backend, tmp_path, user):
    afs = make(fileshare.AsyncFileShare, backend, tmp_path)
    alice = user("alice")

    async def main():
        info = await afs.put_bytes(alice, "hot.txt", b"in demand")
        created = await afs.create_link(alice, info.file_id, max_downloads=5)
        results = await asyncio.gather(*(afs.redeem_link(created.token) for _ in range(20)), return_exceptions=True)
        urls = [r for r in results if isinstance(r, str)]
        assert len(urls) == 5
        assert all(isinstance(r, fileshare.NotFound) for r in results if not isinstance(r, str))
        assert (await afs.list_links(alice, info.file_id))[0].downloads == 5
        with pytest.raises(fileshare.NotFound):
            await afs.link_info(created.token)  # used up: it hands out nothing more

    asyncio.run(main())
