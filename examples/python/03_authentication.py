"""Stage 3 — authentication with Cognito-shaped tokens.

The service identifies callers by their identity provider's stable subject (`sub`). Locally, the
built-in provider of `./scripts/run` issues Cognito-shaped RS256 tokens; on AWS, Cognito does and API
Gateway verifies them. This example talks to a running service over HTTP (standard library only):

    ./scripts/run                                     # in one terminal
    python examples/python/03_authentication.py       # in another ($FILESHARE_API_URL to point elsewhere)
"""

import base64
import json
import os
import urllib.error
import urllib.request
import uuid

API = os.environ.get("FILESHARE_API_URL", "http://127.0.0.1:8080")


def call(method, path, body=None, token=None):
    request = urllib.request.Request(f"{API}{path}", method=method, data=json.dumps(body).encode() if body else None)
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


try:
    call("GET", "/health")
except urllib.error.URLError:
    raise SystemExit(f"no fileshare service at {API}: start one with ./scripts/run")

username, password = f"alice-{uuid.uuid4().hex[:6]}", "correct-Horse-battery-9"
status, account = call("POST", "/auth/signup", {"username": username, "password": password})
print(f"signup: {status}, user id (sub) {account['user_id']}")
status, _ = call("POST", "/auth/login", {"username": username, "password": "wrong-Password-1"})
print(f"login with a wrong password: {status}")
status, tokens = call("POST", "/auth/login", {"username": username, "password": password})
access = claims(tokens["access_token"])
print(f"access token claims: sub={access['sub']} iss={access['iss']} token_use={access['token_use']} client_id={access['client_id']}")
_, jwks = call("GET", "/.well-known/jwks.json")
print(f"verified against the JWKS: kid {jwks['keys'][0]['kid']}, {jwks['keys'][0]['alg']}")

status, problem = call("GET", "/files")
print(f"GET /files without a token: {status} {problem['title']}")
status, page = call("GET", "/files", token=tokens["access_token"])
print(f"GET /files with the access token: {status}, {len(page['files'])} files")
status, _ = call("GET", "/files", token=tokens["id_token"])
print(f"GET /files with the id token: {status} (an access token is required)")
assert access["sub"] == account["user_id"] and access["token_use"] == "access"
