"""Cold start and CPU time per request of the API function, measured against a Lambda Runtime API of
our own (scripts/standin_lambda.py, the rig's, on 127.0.0.1).

A cold start is: the process is started, asks for its first event, and answers it. Measured from
spawning the process to receiving the answer (`GET /health`, an API Gateway v2 event), and its peak
RSS (VmHWM) after answering; median of several starts. The same harness then starts a Python 3.11
handler that creates boto3 S3 and DynamoDB clients at init, driven by a minimal runtime loop (this
file's PYTHON_BOOTSTRAP), answering the same event.

CPU time per request: the warm Rust function answers many events of each route (real storage: S3 on
s3s-fs, DynamoDB on moto, from scripts/test-servers), and the process's user+system CPU time over
them is divided by their number. Waiting for storage costs no CPU, so this is what the function's
share of a vCPU must do per request.

Usage: bench_coldstart.py BOOTSTRAP PYTHON > result.json
  PYTHON: a venv's python with the fileshare bindings and boto3; the test servers'
  endpoints in FILESHARE_TEST_S3_ENDPOINT / FILESHARE_TEST_DYNAMODB_ENDPOINT.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

from standin_lambda import RuntimeApi

STARTS = 5
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SUB = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
PYTHON_HANDLER = '''
import json, os
import boto3

s3 = boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT"])
dynamodb = boto3.client("dynamodb", endpoint_url=os.environ["DYNAMODB_ENDPOINT"])


def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps({"status": "ok"})}
'''
# The runtime client driving it: the Runtime API's loop, as small as it gets (next event, handler,
# response), so that what is measured is Python, boto3 and the handler's init.
PYTHON_BOOTSTRAP = '''
import json, os, urllib.request
import handler

invocations = f"http://{os.environ['AWS_LAMBDA_RUNTIME_API']}/2018-06-01/runtime/invocation"
while True:
    with urllib.request.urlopen(f"{invocations}/next") as response:
        request_id = response.headers["Lambda-Runtime-Aws-Request-Id"]
        event = json.loads(response.read())
    answer = json.dumps(handler.handler(event, None)).encode()
    urllib.request.urlopen(urllib.request.Request(f"{invocations}/{request_id}/response", answer, method="POST")).read()
'''


def invoke(api, event):
    """`event` through the Lambda stand-in; the function's answer, or the run ends saying why not."""
    kind, body = api.invoke(json.dumps(event).encode(), timeout=60)
    if kind != "response":
        sys.exit(f"the function did not answer ({kind}): {body.decode(errors='replace')}")
    return json.loads(body)


def event(method, path, query="", body=None, authorized=True):
    """An API Gateway HTTP API (v2) event, with the JWT authorizer's claims when `authorized`."""
    context = {"routeKey": "$default", "accountId": "123456789012", "stage": "$default", "requestId": "bench",
               "apiId": "bench", "domainName": "bench.execute-api.us-east-1.amazonaws.com", "domainPrefix": "bench",
               "time": "03/Dec/2026:08:00:00 +0000", "timeEpoch": 1796284800000,
               "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7",
                        "userAgent": "bench"}}
    if authorized:
        context["authorizer"] = {"jwt": {"claims": {"sub": SUB, "token_use": "access", "client_id": "bench",
                                                    "username": "bench"}, "scopes": []}}
    return {"version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query,
            "headers": {"accept": "application/json", "content-type": "application/json",
                        "host": "bench.execute-api.us-east-1.amazonaws.com"},
            "requestContext": context, "body": None if body is None else json.dumps(body), "isBase64Encoded": False}


def vm_hwm(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return None


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime, all threads


class Function:
    """One started function process against its own Runtime API."""

    def __init__(self, command, env, cwd=None):
        self.api = RuntimeApi(timeout=30.0).start()
        env = dict(env, AWS_LAMBDA_RUNTIME_API=self.api.address, AWS_LAMBDA_FUNCTION_NAME="bench",
                   AWS_LAMBDA_FUNCTION_MEMORY_SIZE="256", AWS_LAMBDA_FUNCTION_VERSION="$LATEST",
                   AWS_LAMBDA_LOG_GROUP_NAME="bench", AWS_LAMBDA_LOG_STREAM_NAME="bench")
        self.started = time.perf_counter()
        # Their logs go to stderr, where a failure to start shows.
        self.process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL)

    def close(self):
        self.process.kill()
        self.process.wait()
        self.api.shutdown()
        self.api.server_close()


def cold_starts(command, env, cwd=None):
    times, peaks = [], []
    for _ in range(STARTS):
        function = Function(command, env, cwd)
        try:
            answer = invoke(function.api, event("GET", "/health", authorized=False))
            times.append(time.perf_counter() - function.started)
            peaks.append(vm_hwm(function.process.pid))
            if answer.get("statusCode") != 200:
                sys.exit(f"/health answered {answer}")
        finally:
            function.close()
    return {"first_response_ms": statistics.median(times) * 1000, "peak_rss": statistics.median(peaks)}


def cpu_per_route(bootstrap, env):
    function = Function([bootstrap], env)
    try:
        def call(request):
            return invoke(function.api, request)

        files = []
        for i in range(20):  # the owner's first page: 20 files, uploaded for real
            ticket = json.loads(call(event("POST", "/files/upload-url", body={
                "name": f"f{i}.txt", "size": 5, "content_type": "text/plain"}))["body"])
            upload = ticket["upload"]
            request = urllib.request.Request(upload["url"], data=b"hello", method="PUT", headers=upload["headers"])
            urllib.request.urlopen(request).read()
            call(event("POST", f"/files/{ticket['file_id']}/complete"))
            files.append(ticket["file_id"])
        routes = [
            ("GET /health", event("GET", "/health", authorized=False), 1000),
            ("GET /me", event("GET", "/me"), 1000),
            ("GET /files?scope=owned&limit=50 (20 files)", event("GET", "/files", "scope=owned&limit=50"), 300),
            ("GET /files/{id}", event("GET", f"/files/{files[0]}"), 300),
            ("GET /files/{id}/download-url", event("GET", f"/files/{files[0]}/download-url"), 300),
            ("POST /files/upload-url", event("POST", "/files/upload-url", body={
                "name": "n.txt", "size": 5, "content_type": "text/plain"}), 300),
        ]
        rows = []
        for label, request, count in routes:
            call(request)  # the first of a route warms its code paths
            cpu, wall = cpu_seconds(function.process.pid), time.perf_counter()
            for _ in range(count):
                answer = call(request)
                if answer.get("statusCode") not in (200, 201):
                    sys.exit(f"{label} answered {answer}")
            rows.append({"route": label, "cpu_ms": (cpu_seconds(function.process.pid) - cpu) * 1000 / count,
                         "wall_ms": (time.perf_counter() - wall) * 1000 / count, "requests": count})
        return rows, vm_hwm(function.process.pid)
    finally:
        function.close()


def main():
    bootstrap, python = sys.argv[1], sys.argv[2]
    s3, dynamodb = os.environ["FILESHARE_TEST_S3_ENDPOINT"], os.environ["FILESHARE_TEST_DYNAMODB_ENDPOINT"]
    base = dict(os.environ, AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID="test",
                AWS_SECRET_ACCESS_KEY="test", AWS_EC2_METADATA_DISABLED="true")
    table = f"coldstart-{uuid.uuid4().hex[:8]}"
    rust_env = dict(base, FILESHARE_BUCKET=table, FILESHARE_TABLE=table, FILESHARE_S3_ENDPOINT=s3,
                    FILESHARE_DYNAMODB_ENDPOINT=dynamodb,
                    FILESHARE_USER_RATE="1000000")  # one user sends every request
    # The bucket and table exist before the function starts, as the template makes them: created here
    # by the Python bindings (the same backends), as a first local run does.
    subprocess.run([python, "-c", "import fileshare, sys; fileshare.FileShare.aws(bucket=sys.argv[1], table=sys.argv[1], "
                    "s3_endpoint_url=sys.argv[2], dynamodb_endpoint_url=sys.argv[3], create_missing=True)",
                    table, s3, dynamodb], env=base, check=True)
    rust = cold_starts([bootstrap], rust_env)
    with tempfile.TemporaryDirectory() as handler_dir:
        for name, text in [("handler.py", PYTHON_HANDLER), ("bootstrap.py", PYTHON_BOOTSTRAP)]:
            with open(os.path.join(handler_dir, name), "w") as f:
                f.write(text)
        python_env = dict(base, S3_ENDPOINT=s3, DYNAMODB_ENDPOINT=dynamodb)
        python_result = cold_starts([python, "bootstrap.py"], python_env, cwd=handler_dir)
    routes, warm_rss = cpu_per_route(bootstrap, rust_env)
    print(json.dumps({"rust": rust, "python": python_result, "starts": STARTS, "routes": routes,
                      "warm_peak_rss": warm_rss}))


if __name__ == "__main__":
    main()
