"""Usage and quotas from Python, on every backend: typed results, QuotaExceeded with its figures."""

import asyncio

import pytest

import fileshare
from conftest import make


def test_usage_counts_uploads_and_deletes_give_it_back(backend, tmp_path, user):
    fs = make(fileshare.FileShare, backend, tmp_path, quota=fileshare.Quota(bytes=100, files=3))
    alice = user("alice")
    usage = fs.usage(alice)
    assert isinstance(usage, fileshare.Usage)
    assert (usage.bytes, usage.files, usage.quota, usage.custom) == (0, 0, fileshare.Quota(bytes=100, files=3), False)
    kept = fs.put_bytes(alice, "a.txt", b"x" * 60)
    pending = fs.create_upload(alice, "b.bin", 30, "application/octet-stream")
    assert (fs.usage(alice).bytes, fs.usage(alice).files) == (90, 2), "a pending upload holds its space"

    with pytest.raises(fileshare.QuotaExceeded) as refused:
        fs.put_bytes(alice, "c.txt", b"y" * 11)
    error = refused.value
    assert isinstance(error, fileshare.FileShareError)
    assert (error.size, error.used_bytes, error.used_files) == (11, 90, 2)
    assert error.quota == fileshare.Quota(bytes=100, files=3)
    assert "quota exceeded" in str(error)

    fs.delete(alice, kept.file_id)
    fs.delete(alice, pending.file_id)
    assert (fs.usage(alice).bytes, fs.usage(alice).files) == (0, 0)
    fs.put_bytes(alice, "c.txt", b"y" * 100)


def test_an_operators_quota_replaces_the_default(fs, user):
    alice = user("alice")
    assert fs.usage(alice).quota == fileshare.Quota(bytes=10 * 2**30, files=10_000), "the default"
    own = fileshare.Quota(bytes=5, files=None)
    usage = fs.set_quota(alice, own)
    assert (usage.quota, usage.custom) == (own, True)
    with pytest.raises(fileshare.QuotaExceeded):
        fs.put_bytes(alice, "big.txt", b"123456")
    assert fs.set_quota(alice, None).custom is False
    fs.put_bytes(alice, "big.txt", b"123456")


def test_bad_limits_are_value_errors():
    with pytest.raises(ValueError):
        fileshare.Quota(bytes=-1)
    assert repr(fileshare.Quota(files=7)) == "Quota(bytes=None, files=7)"


def test_async_usage(backend, tmp_path, user):
    fs = make(fileshare.AsyncFileShare, backend, tmp_path, quota=fileshare.Quota(bytes=None, files=1))
    alice = user("alice")

    async def scenario():
        await fs.put_bytes(alice, "one.txt", b"1")
        with pytest.raises(fileshare.QuotaExceeded):
            await fs.put_bytes(alice, "two.txt", b"2")
        return await fs.usage(alice)

    usage = asyncio.run(scenario())
    assert (usage.bytes, usage.files, usage.quota.files) == (1, 1, 1)
