"""A stand-in for what Amazon Cognito does and moto's Cognito does not, in front of moto (test rig only).

- SRP logins (USER_SRP_AUTH, then PASSWORD_VERIFIER): moto accepts any proof at all. This checks the
  proof as Cognito does — SRP-6a over RFC 5054's 3072-bit group, the verifier derived from the
  password a user signed up with (SignUp passes through here, so it learns it; test users only) —
  and then asks moto for the tokens with USER_PASSWORD_AUTH. A wrong password is refused, as by
  Cognito. `--self-test` checks this side against an independent client, pycognito's.
- RevokeToken, which moto lacks: moto can only sign a user out everywhere (GlobalSignOut), which
  revokes the given refresh token too — the one thing a test of logging out looks at.
- CORS preflights, answered as Cognito answers them (any origin: nothing here is a credential).
- The pool's Lambda triggers, which moto stores but never calls: after a confirmation
  (ConfirmSignUp, AdminConfirmSignUp, ConfirmForgotPassword) the PostConfirmation trigger, after a
  successful sign-in (a password or an SRP login) the PostAuthentication trigger — invoked with the
  event Cognito sends, through the Lambda stand-in (scripts/standin_lambda.py) at LAMBDA_URL, and a
  trigger that fails fails the call, as on Cognito. Confirming a sign-up with its emailed code
  verifies the address (`email_verified`), as Cognito does in a pool that auto-verifies email.
- A change of a user's own address (UpdateUserAttributes) waits for its code (VerifyUserAttribute)
  before it takes effect, as in a pool with `AttributesRequireVerificationBeforeUpdate` (the
  template's): moto would replace the address at once and keep it "verified". An address another
  account has is refused (AliasExistsException), and `email_verified` is not the user's to write.

Everything else passes through to moto unchanged.

    python standin_cognito.py HOST PORT MOTO_URL [LAMBDA_URL]
    python standin_cognito.py --self-test
"""

import base64
import datetime
import hashlib
import hmac
import json
import secrets
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2


def pad_hex(value):
    """Hex as Cognito hashes it: whole bytes, and 00 in front where the first bit would be a sign."""
    text = value if isinstance(value, str) else f"{value:x}"
    if len(text) % 2:
        return "0" + text
    return "00" + text if text[0] in "89abcdefABCDEF" else text


def hex_hash(hex_text):
    return hashlib.sha256(bytes.fromhex(hex_text)).hexdigest()


K = int(hex_hash(pad_hex(N) + pad_hex(G)), 16)


def verifier(pool_name, user_id, password, salt_hex):
    identity = hashlib.sha256(f"{pool_name}{user_id}:{password}".encode()).hexdigest()
    x = int(hex_hash(pad_hex(salt_hex) + identity), 16)
    return pow(G, x, N)


def challenge(pool_name, user_id, password):
    """The server's half of a login: the parameters it sends, and what it keeps to check the answer."""
    salt = secrets.token_hex(16)
    v = verifier(pool_name, user_id, password, salt)
    b = secrets.randbelow(N - 1) + 1
    big_b = (K * v + pow(G, b, N)) % N
    block = base64.standard_b64encode(secrets.token_bytes(64)).decode()
    sent = {"SALT": salt, "SRP_B": f"{big_b:x}", "SECRET_BLOCK": block, "USER_ID_FOR_SRP": user_id}
    return sent, {"b": b, "B": big_b, "v": v, "pool_name": pool_name, "user_id": user_id}


def is_cognito_timestamp(text):
    """`Tue Mar 3 07:05:09 UTC 2026`, within five minutes of now: what Cognito accepts."""
    try:
        when = datetime.datetime.strptime(text, "%a %b %d %H:%M:%S UTC %Y").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return False
    parts = text.split(" ")
    if len(parts) != 6 or parts[2].startswith("0"):  # the day of the month has no leading zero
        return False
    return abs((datetime.datetime.now(datetime.timezone.utc) - when).total_seconds()) < 300


def expected_signature(kept, big_a_hex, block, timestamp):
    big_a = int(big_a_hex, 16)
    if big_a % N == 0:
        return None
    u = int(hex_hash(pad_hex(big_a) + pad_hex(kept["B"])), 16)
    s = pow(big_a * pow(kept["v"], u, N), kept["b"], N)
    prk = hmac.new(bytes.fromhex(pad_hex(u)), bytes.fromhex(pad_hex(s)), hashlib.sha256).digest()
    key = hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]
    message = (kept["pool_name"] + kept["user_id"]).encode() + base64.standard_b64decode(block) + timestamp.encode()
    return base64.standard_b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


class Moto:
    """moto's Cognito JSON API."""

    def __init__(self, url):
        self.url = url.rstrip("/") + "/"

    def call(self, target, body, headers=None):
        """(status, parsed answer) for a call (`headers` as the client sent them, or an admin's)."""
        headers = dict(headers or {})
        headers.setdefault("content-type", "application/x-amz-json-1.1")
        headers.setdefault(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=0",
        )
        headers["x-amz-target"] = f"AWSCognitoIdentityProviderService.{target}"
        request = urllib.request.Request(self.url, data=json.dumps(body).encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def pool_id(self, client_id):
        """The id of the pool `client_id` belongs to."""
        _, pools = self.call("ListUserPools", {"MaxResults": 60})
        for pool in pools.get("UserPools", []):
            _, clients = self.call("ListUserPoolClients", {"UserPoolId": pool["Id"], "MaxResults": 60})
            if any(c["ClientId"] == client_id for c in clients.get("UserPoolClients", [])):
                return pool["Id"]
        return None

    def pool_name(self, client_id):
        """The part after `_` of the id of the pool `client_id` belongs to."""
        pool = self.pool_id(client_id)
        return pool.split("_", 1)[1] if pool else None


class Triggers:
    """A pool's Lambda triggers, invoked as Cognito invokes them: synchronously, with the event, and
    a failure fails the call that caused it."""

    def __init__(self, moto, lambda_url):
        self.moto = moto
        self.lambda_url = lambda_url.rstrip("/") if lambda_url else None

    def run(self, pool_id, client_id, username, source):
        """Invokes the pool's trigger for `source` (e.g. PostConfirmation_ConfirmSignUp), if it has
        one; `None`, or the refusal Cognito answers when the trigger failed."""
        kind = source.split("_", 1)[0]
        _, described = self.moto.call("DescribeUserPool", {"UserPoolId": pool_id})
        function = (described.get("UserPool", {}).get("LambdaConfig") or {}).get(kind)
        if not function or not self.lambda_url:
            return None
        status, user = self.moto.call("AdminGetUser", {"UserPoolId": pool_id, "Username": username})
        if status != 200:
            return None
        attributes = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
        attributes["cognito:user_status"] = user.get("UserStatus", "CONFIRMED")
        event = {
            "version": "1",
            "region": pool_id.split("_", 1)[0],
            "userPoolId": pool_id,
            "userName": user["Username"],
            "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id or "CLIENT_ID_NOT_APPLICABLE"},
            "triggerSource": source,
            "request": {"userAttributes": attributes},
            "response": {},
        }
        if kind == "PostAuthentication":
            event["request"]["newDeviceUsed"] = False
        url = f"{self.lambda_url}/2015-03-31/functions/{urllib.parse.quote(function, safe='')}/invocations"
        request = urllib.request.Request(url, data=json.dumps(event).encode(), method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            failed = response.headers.get("x-amz-function-error")
            answer = response.read()
        if failed:
            return refused("UserLambdaValidationException", f"{kind} failed with error {answer.decode(errors='replace')}.")
        return None


def refused(kind, message):
    return 400, {"__type": kind, "message": message}


def token_claims(access_token):
    """An access token's claims (moto's tokens; signature not checked: moto checks the token itself)."""
    try:
        payload = access_token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


class StandIn:
    def __init__(self, moto, triggers):
        self.moto = moto
        self.triggers = triggers
        self.pending_emails = {}  # (pool id, username) -> an address waiting for its code
        self.passwords = {}  # (client id, username) -> password, learnt at sign-up
        self.logins = {}  # secret block -> what the server kept, until answered
        self.lock = threading.Lock()

    def handle(self, target, body, headers):
        """Answers a call, then runs the triggers its success sets off."""
        status, answer = self.answer(target, body, headers)
        if status == 200:
            refusal = self.trigger(target, body)
            if refusal:
                return refusal
        return status, answer

    def trigger(self, target, body):
        """The trigger a successful call sets off, as Cognito runs them; its refusal, if it failed."""
        client = body.get("ClientId")
        if target in ("ConfirmSignUp", "ConfirmForgotPassword"):
            pool, username = self.moto.pool_id(client), body.get("Username")
            if target == "ConfirmSignUp":
                # The code went to the address: confirming it verifies the address.
                verified = [{"Name": "email_verified", "Value": "true"}]
                self.moto.call("AdminUpdateUserAttributes", {"UserPoolId": pool, "Username": username, "UserAttributes": verified})
            return self.triggers.run(pool, client, username, f"PostConfirmation_{target}")
        if target == "AdminConfirmSignUp":
            return self.triggers.run(body.get("UserPoolId"), None, body.get("Username"), "PostConfirmation_ConfirmSignUp")
        signed_in = (target == "InitiateAuth" and body.get("AuthFlow") == "USER_PASSWORD_AUTH") or (
            target == "RespondToAuthChallenge" and body.get("ChallengeName") == "PASSWORD_VERIFIER")
        if signed_in:
            username = (body.get("AuthParameters") or {}).get("USERNAME") or (body.get("ChallengeResponses") or {}).get("USERNAME")
            return self.triggers.run(self.moto.pool_id(client), client, username, "PostAuthentication_Authentication")
        return None

    def change_attributes(self, body, headers):
        """UpdateUserAttributes as the template's pool answers it: an address change waits for its
        code; a verified flag is not the user's to write."""
        attributes = body.get("UserAttributes") or []
        if any(a.get("Name", "").endswith("_verified") for a in attributes):
            return refused("NotAuthorizedException", "A client attempted to write unauthorized attribute")
        email = next((a.get("Value") for a in attributes if a.get("Name") == "email"), None)
        rest = [a for a in attributes if a.get("Name") != "email"]
        status, answer = self.moto.call("GetUser", {"AccessToken": body.get("AccessToken", "")}, headers)
        if status != 200:
            return status, answer
        pool = token_claims(body.get("AccessToken", "")).get("iss", "").rsplit("/", 1)[-1]
        if rest:
            status, answer = self.moto.call("UpdateUserAttributes", dict(body, UserAttributes=rest), headers)
            if status != 200:
                return status, answer
        if email is None:
            return 200, {"CodeDeliveryDetailsList": []}
        _, found = self.moto.call("ListUsers", {"UserPoolId": pool, "Filter": f'email = "{email}"'})
        if found.get("Users"):
            return refused("AliasExistsException", "An account with the given email already exists.")
        with self.lock:
            self.pending_emails[(pool, answer["Username"])] = email
        delivery = {"Destination": email[:1] + "***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
        return 200, {"CodeDeliveryDetailsList": [delivery]}

    def verify_attribute(self, body, headers):
        """VerifyUserAttribute: a pending address takes effect, verified (the rig takes any code)."""
        status, user = self.moto.call("GetUser", {"AccessToken": body.get("AccessToken", "")}, headers)
        if status != 200:
            return status, user
        pool = token_claims(body.get("AccessToken", "")).get("iss", "").rsplit("/", 1)[-1]
        with self.lock:
            email = self.pending_emails.pop((pool, user["Username"]), None)
        if body.get("AttributeName") != "email" or email is None:
            return refused("CodeMismatchException", "Invalid verification code provided, please try again.")
        verified = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
        return self.moto.call("AdminUpdateUserAttributes", {"UserPoolId": pool, "Username": user["Username"], "UserAttributes": verified})

    def answer(self, target, body, headers):
        if target == "UpdateUserAttributes":
            return self.change_attributes(body, headers)
        if target == "VerifyUserAttribute":
            return self.verify_attribute(body, headers)
        params = body.get("AuthParameters") or {}
        if target == "SignUp":
            status, answer = self.moto.call(target, body, headers)
            if status == 200:
                with self.lock:
                    self.passwords[(body.get("ClientId"), body.get("Username"))] = body.get("Password")
            return status, answer
        if target == "InitiateAuth" and body.get("AuthFlow") == "USER_SRP_AUTH":
            # moto checks the account (exists, confirmed); its challenge values are not real.
            status, answer = self.moto.call(target, body, headers)
            if status != 200:
                return status, answer
            client, username = body.get("ClientId"), params.get("USERNAME")
            password = self.passwords.get((client, username))
            pool_name = self.moto.pool_name(client)
            if password is None or pool_name is None:
                return refused("NotAuthorizedException", "Incorrect username or password.")
            user_id = answer["ChallengeParameters"]["USER_ID_FOR_SRP"]
            sent, kept = challenge(pool_name, user_id, password)
            kept.update(A=params.get("SRP_A", ""), client=client, username=username, password=password)
            with self.lock:
                self.logins[sent["SECRET_BLOCK"]] = kept
            answer["ChallengeParameters"].update(sent)
            return 200, answer
        if target == "RespondToAuthChallenge" and body.get("ChallengeName") == "PASSWORD_VERIFIER":
            responses = body.get("ChallengeResponses") or {}
            block = responses.get("PASSWORD_CLAIM_SECRET_BLOCK", "")
            with self.lock:
                kept = self.logins.pop(block, None)
            if kept is None:
                return refused("NotAuthorizedException", "Invalid session.")
            timestamp = responses.get("TIMESTAMP", "")
            if not is_cognito_timestamp(timestamp):
                return refused("InvalidParameterException", f"TIMESTAMP format is invalid: {timestamp!r}")
            want = expected_signature(kept, kept["A"], block, timestamp)
            if want is None or not hmac.compare_digest(want, responses.get("PASSWORD_CLAIM_SIGNATURE", "")):
                return refused("NotAuthorizedException", "Incorrect username or password.")
            login = {
                "AuthFlow": "USER_PASSWORD_AUTH",
                "ClientId": kept["client"],
                "AuthParameters": {"USERNAME": kept["username"], "PASSWORD": kept["password"]},
            }
            return self.moto.call("InitiateAuth", login)
        if target == "RevokeToken":
            refreshed = {
                "AuthFlow": "REFRESH_TOKEN_AUTH",
                "ClientId": body.get("ClientId"),
                "AuthParameters": {"REFRESH_TOKEN": body.get("Token", "")},
            }
            status, answer = self.moto.call("InitiateAuth", refreshed)
            if status == 200:
                access = answer["AuthenticationResult"]["AccessToken"]
                self.moto.call("GlobalSignOut", {"AccessToken": access})
            return 200, {}  # Cognito answers a token that is unknown or revoked already alike
        return self.moto.call(target, body, headers)


CORS = {
    "access-control-allow-origin": "*",
    "access-control-allow-methods": "POST",
    "access-control-allow-headers": "content-type, x-amz-target, x-amz-user-agent, authorization",
    "access-control-max-age": "600",
}


def serve(host, port, moto_url, lambda_url=None):
    moto = Moto(moto_url)
    stand_in = StandIn(moto, Triggers(moto, lambda_url))

    class Handler(BaseHTTPRequestHandler):
        def reply(self, status, body, extra=None):
            data = json.dumps(body).encode()
            self.send_response(status)
            for name, value in {**CORS, **(extra or {})}.items():
                self.send_header(name, value)
            self.send_header("content-type", "application/x-amz-json-1.1")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_OPTIONS(self):  # noqa: N802 (the HTTP method)
            self.send_response(204)
            for name, value in CORS.items():
                self.send_header(name, value)
            self.end_headers()

        def do_GET(self):  # noqa: N802 — the pool's JWKS (token verification), passed through
            request = urllib.request.Request(stand_in.moto.url.rstrip("/") + self.path)
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    status, data = response.status, response.read()
                    kind = response.headers.get("content-type", "application/json")
            except urllib.error.HTTPError as error:
                status, data, kind = error.code, error.read(), "application/json"
            self.send_response(status)
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("content-length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            target = (self.headers.get("x-amz-target") or "").rsplit(".", 1)[-1]
            passed = {k: v for k, v in self.headers.items() if k.lower() in ("authorization", "content-type")}
            status, answer = stand_in.handle(target, body, passed)
            self.reply(status, answer)

        def log_message(self, *args):
            pass

    ThreadingHTTPServer((host, int(port)), Handler).serve_forever()


def self_test():
    """This server's SRP check against an independent client (pycognito): the right password passes,
    a wrong one does not."""
    from pycognito.aws_srp import AWSSRP

    pool_id, user_id = "us-east-1_SelfTest", "3f7c0c44-8a31-4d0e-9d5e-5a0d2c1f7a10"
    sent, kept = challenge(pool_id.split("_")[1], user_id, "Right-Password-1!")
    for password, ok in [("Right-Password-1!", True), ("Wrong-Password-1!", False)]:
        client = AWSSRP(username="someone", password=password, pool_id=pool_id, client_id="c", client=object())
        request = client.get_auth_params()
        answer = client.process_challenge(dict(sent, USERNAME=user_id), request)
        if not is_cognito_timestamp(answer["TIMESTAMP"]):
            sys.exit(f"self-test failed: pycognito's timestamp {answer['TIMESTAMP']!r} is refused")
        want = expected_signature(kept, request["SRP_A"], answer["PASSWORD_CLAIM_SECRET_BLOCK"], answer["TIMESTAMP"])
        if (want == answer["PASSWORD_CLAIM_SIGNATURE"]) != ok:
            sys.exit(f"self-test failed: password {'accepted' if not ok else 'refused'} ({password})")
    print("standin_cognito self-test: pycognito's SRP proof verifies, and a wrong password's does not")


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        self_test()
    else:
        serve(*sys.argv[1:5])
