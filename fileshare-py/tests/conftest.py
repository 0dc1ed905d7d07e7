"""Backends for the suite: memory, the embedded default, and AWS on the local test servers."""

import os
import uuid

import pytest

import fileshare

BACKENDS = ["memory", "local", "aws"]


def aws_endpoints():
    s3, dynamodb = os.environ.get("FILESHARE_TEST_S3_ENDPOINT"), os.environ.get("FILESHARE_TEST_DYNAMODB_ENDPOINT")
    if s3 and dynamodb:
        return s3, dynamodb
    if os.environ.get("FILESHARE_TEST_REQUIRE_AWS") == "1":
        pytest.fail("FILESHARE_TEST_S3_ENDPOINT / FILESHARE_TEST_DYNAMODB_ENDPOINT are not set (scripts/test-servers start)")
    pytest.skip("AWS test servers not configured (run ./scripts/test)")


def make(cls, backend, tmp_path, **kwargs):
    """A service of `cls` (FileShare or AsyncFileShare) on `backend`."""
    if backend == "memory":
        return cls.memory(**kwargs)
    if backend == "local":
        return cls.local(tmp_path / "data", **kwargs)
    s3, dynamodb = aws_endpoints()
    return cls.aws(
        bucket="fileshare-pytest",
        table="fileshare-pytest",
        s3_endpoint_url=s3,
        dynamodb_endpoint_url=dynamodb,
        create_missing=True,
        **kwargs,
    )


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def fs(backend, tmp_path):
    return make(fileshare.FileShare, backend, tmp_path)


@pytest.fixture
def user():
    """Fresh user ids per test, so tests sharing an AWS table never see each other's files."""
    return lambda name: f"{name}-{uuid.uuid4().hex[:12]}"
