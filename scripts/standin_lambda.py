"""A stand-in for the Lambda service (test rig and benchmarks): the Runtime API a function's
bootstrap polls, and the Invoke API that AWS services call (here, the Cognito stand-in's triggers).

A function binary built with `lambda_runtime` runs unchanged against it: start it with
`AWS_LAMBDA_RUNTIME_API=HOST:PORT` (and the usual `AWS_LAMBDA_FUNCTION_*` variables). An invocation
is queued, handed to the function's next `GET /2018-06-01/runtime/invocation/next`, and answered
with what the function posts back — or, as Lambda does, marked a function error (the error it
reported, its failure to start, or a timeout). One function; invocations run one at a time, as on
one Lambda instance. Written by hand because the emulators that exist run a function from source
(`cargo lambda watch`) or in a container (AWS's RIE), and the rig runs the binary the tests built.

    python standin_lambda.py HOST PORT     serve both APIs (scripts/test-servers)
    from standin_lambda import RuntimeApi  in-process, on a free port (scripts/bench_coldstart.py)
"""

import http.server
import json
import queue
import socket
import sys
import threading
import time
import uuid

RUNTIME = "/2018-06-01/runtime"
INVOKE = "/2015-03-31/functions/"
ARN = "arn:aws:lambda:us-east-1:123456789012:function:{}"


class RuntimeApi(http.server.ThreadingHTTPServer):
    """The Lambda Runtime API (next invocation, its response or error, init errors) and the
    Invoke API, for one function."""

    daemon_threads = True

    def __init__(self, host="127.0.0.1", port=0, timeout=30.0):
        super().__init__((host, int(port)), Handler)
        self.timeout_seconds = timeout
        self.events, self.answers, self.init_error = queue.Queue(), {}, None
        self.answered = threading.Condition()

    @property
    def address(self):
        return f"{self.server_address[0]}:{self.server_address[1]}"

    def start(self):
        """Serves on a thread of its own; returns self."""
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def invoke(self, payload, function="function", timeout=None):
        """Queues `payload` (bytes) for `function`; returns `(kind, body)` once answered: kind is
        "response", "error" (the function reported one), "init-error" or "timeout"."""
        request_id = str(uuid.uuid4())
        self.events.put((request_id, function, payload))
        with self.answered:
            wait = timeout or self.timeout_seconds + 5
            if not self.answered.wait_for(lambda: request_id in self.answers or self.init_error, wait):
                return "timeout", json.dumps({"errorType": "Timeout", "errorMessage": "Task timed out"}).encode()
            if request_id not in self.answers:
                return "init-error", self.init_error.encode()
            return self.answers.pop(request_id)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Headers and body go out in two writes: without this, Nagle's algorithm and the client's
        # delayed ACK add 40 ms to every answer.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *_):
        pass

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 (the HTTP method)
        if self.path == "/":
            return self.reply(200, b"lambda stand-in")
        if not self.path.endswith("/runtime/invocation/next"):
            return self.reply(404)
        request_id, function, payload = self.server.events.get()
        deadline = int((time.time() + self.server.timeout_seconds) * 1000)
        self.reply(200, payload, [
            ("Content-Type", "application/json"),
            ("Lambda-Runtime-Aws-Request-Id", request_id),
            ("Lambda-Runtime-Deadline-Ms", str(deadline)),
            ("Lambda-Runtime-Invoked-Function-Arn", ARN.format(function)),
            ("Lambda-Runtime-Trace-Id", f"Root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]};Sampled=0"),
        ])

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        server = self.server
        if self.path.startswith(INVOKE) and self.path.endswith("/invocations"):
            function = self.path[len(INVOKE):-len("/invocations")].rsplit(":", 1)[-1]
            kind, answer = server.invoke(body or b"{}", function)
            headers = [("Content-Type", "application/json")]
            if kind != "response":
                headers.append(("X-Amz-Function-Error", "Unhandled"))
            return self.reply(200, answer, headers)
        parts = self.path.strip("/").split("/")
        self.reply(202)
        if parts[-1] in ("response", "error") and len(parts) >= 4:
            with server.answered:
                server.answers[parts[-2]] = (parts[-1], body)
                server.answered.notify_all()
        elif parts[-2:] == ["init", "error"]:
            with server.answered:
                server.init_error = body.decode(errors="replace")
                server.answered.notify_all()


if __name__ == "__main__":
    RuntimeApi(sys.argv[1], sys.argv[2], timeout=15.0).serve_forever()
