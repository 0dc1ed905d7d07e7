"""Backends for the suite: memory, the embedded default, and AWS on the local test servers; and, for
fileshare.Client, the real service (fileshare-server) on the embedded default and in AWS mode."""

import json
import os
import socket
import subprocess
import time
import urllib.request
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


# --- A running service, for fileshare.Client: the real fileshare-server binary on 127.0.0.1. ---

PASSWORD = "correct-Horse-battery-9"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_bin():
    path = os.environ.get("FILESHARE_SERVER_BIN")
    if not path:
        if os.environ.get("FILESHARE_TEST_REQUIRE_AWS") == "1":
            pytest.fail("FILESHARE_SERVER_BIN is not set (scripts/test-python sets it)")
        pytest.skip("FILESHARE_SERVER_BIN is not set (run ./scripts/test-python)")
    return path


class Service:
    """A fileshare-server process; `url` is where it answers, `env` how it was configured."""

    def __init__(self, tmp, **env):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = str(tmp / "service")
        self.env = {
            **os.environ,
            "FILESHARE_DATA_DIR": self.data_dir,
            "FILESHARE_BIND": f"127.0.0.1:{self.port}",
            # Many test users log in from one address, faster than people do.
            "FILESHARE_LOGIN_RATE": "1000",
            "FILESHARE_USER_RATE": "1000",
            **env,
        }
        self.log = open(tmp / "service.log", "wb")
        self.process = subprocess.Popen([server_bin()], env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/health", timeout=1)
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        self.stop()
        pytest.fail(f"fileshare-server did not start: {(tmp / 'service.log').read_text()}")

    def operator(self, *args):
        """An operator command (`fileshare-server quota …`) against this service's storage."""
        done = subprocess.run([server_bin(), *args], env=self.env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture(scope="session")
def service(tmp_path_factory):
    """The service on the embedded default, with its built-in accounts."""
    running = Service(tmp_path_factory.mktemp("local"))
    yield running
    running.stop()


def moto_cognito(moto, action, body):
    """An administrator's call to the rig's Cognito (moto checks no signature)."""
    request = urllib.request.Request(
        f"{moto}/",
        data=json.dumps(body).encode(),
        headers={
            "content-type": "application/x-amz-json-1.1",
            "x-amz-target": f"AWSCognitoIdentityProviderService.{action}",
            "authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/cognito-idp/aws4_request, "
            "SignedHeaders=host, Signature=0",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read() or b"null")


@pytest.fixture(scope="session")
def aws_service(tmp_path_factory):
    """The service as deployed on AWS, on the test rig: S3, DynamoDB, and a Cognito user pool whose
    people sign in by email (as the template makes it), behind the stand-in that revokes tokens."""
    s3, dynamodb = aws_endpoints()
    moto, cognito = os.environ.get("FILESHARE_TEST_MOTO_ENDPOINT"), os.environ.get("FILESHARE_TEST_COGNITO_ENDPOINT")
    if not (moto and cognito):
        pytest.fail("FILESHARE_TEST_MOTO_ENDPOINT / FILESHARE_TEST_COGNITO_ENDPOINT are not set")
    pool = moto_cognito(
        moto, "CreateUserPool", {"PoolName": "fileshare-pytest", "UsernameAttributes": ["email"], "AutoVerifiedAttributes": ["email"]}
    )["UserPool"]["Id"]
    flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"]
    client = moto_cognito(
        moto, "CreateUserPoolClient", {"UserPoolId": pool, "ClientName": "fileshare-pytest", "ExplicitAuthFlows": flows}
    )["UserPoolClient"]["ClientId"]
    running = Service(
        tmp_path_factory.mktemp("aws"),
        FILESHARE_BUCKET="fileshare-pytest-client",
        FILESHARE_TABLE="fileshare-pytest-client",
        FILESHARE_S3_ENDPOINT=s3,
        FILESHARE_DYNAMODB_ENDPOINT=dynamodb,
        FILESHARE_JWKS_URL=f"{moto}/{pool}/.well-known/jwks.json",
        FILESHARE_ISSUER=f"https://cognito-idp.us-east-1.amazonaws.com/{pool}",
        FILESHARE_CLIENT_ID=client,
        FILESHARE_USER_POOL_ID=pool,
        FILESHARE_COGNITO_ENDPOINT=cognito,
    )
    running.cognito_client_id, running.cognito_endpoint = client, cognito
    yield running
    running.stop()


@pytest.fixture
def login(service, user):
    """`login("alice")`: a fileshare.Client of the local service, signed up and logged in as a new user."""

    def make(name, cls=fileshare.Client, **kwargs):
        client = fileshare.Client(service.url, **kwargs)
        username = user(name)
        client.signup(username, PASSWORD)
        client.login(username, PASSWORD)
        return client if cls is fileshare.Client else client.as_async()

    return make
