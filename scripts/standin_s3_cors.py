"""A stand-in for S3's CORS, in front of s3s-fs (test rig only).

A browser uploads straight to the bucket, so it first asks (a preflight) whether the page's origin may
PUT there with the headers a presigned upload signs, and reads each part's ETag from the answer.
s3s-fs has no CORS. This applies the rule the SAM template gives the bucket — the allowed origins
(each may hold one `*`, as S3 allows), PUT, the signed headers, `ETag` exposed, nothing more — and
passes every request through to s3s-fs unchanged, `Host` included, so signatures still verify.

    python standin_s3_cors.py HOST PORT S3S_FS_URL ORIGIN[,ORIGIN...]
"""

import fnmatch
import http.client
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

METHODS = "PUT"
HEADERS = {"content-type", "content-disposition", "if-none-match"}
EXPOSED = "ETag"
CHUNK = 1 << 20


def serve(host, port, upstream, origins):
    target = urllib.parse.urlsplit(upstream)
    patterns = [o.strip() for o in origins.split(",") if o.strip()]

    def allowed(origin):
        return origin is not None and any(fnmatch.fnmatchcase(origin, p) for p in patterns)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_OPTIONS(self):  # noqa: N802 (the HTTP method)
            origin = self.headers.get("origin")
            method = self.headers.get("access-control-request-method", "")
            asked = {h.strip().lower() for h in self.headers.get("access-control-request-headers", "").split(",") if h.strip()}
            if not allowed(origin) or method not in METHODS.split(",") or not asked <= HEADERS:
                # S3's answer to a preflight no rule allows.
                self.send_response(403)
                self.send_header("content-length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("access-control-allow-origin", origin)
            self.send_header("access-control-allow-methods", METHODS)
            if asked:
                self.send_header("access-control-allow-headers", ", ".join(sorted(asked)))
            self.send_header("access-control-expose-headers", EXPOSED)
            self.send_header("access-control-max-age", "600")
            self.send_header("vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
            self.send_header("content-length", "0")
            self.end_headers()

        def forward(self):
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=300)
            connection.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for name, value in self.headers.items():
                if name.lower() not in ("connection", "keep-alive"):
                    connection.putheader(name, value)
            connection.endheaders()
            remaining = int(self.headers.get("content-length") or 0)
            while remaining > 0:
                chunk = self.rfile.read(min(CHUNK, remaining))
                if not chunk:
                    break
                connection.send(chunk)
                remaining -= len(chunk)
            response = connection.getresponse()
            body = response.read()
            self.send_response(response.status, response.reason)
            # A HEAD's Content-Length is the object's size, not the (empty) body's: keep it.
            dropped = ("connection", "keep-alive", "transfer-encoding") + (() if self.command == "HEAD" else ("content-length",))
            for name, value in response.getheaders():
                if name.lower() not in dropped:
                    self.send_header(name, value)
            origin = self.headers.get("origin")
            if allowed(origin) and self.command in METHODS.split(","):
                self.send_header("access-control-allow-origin", origin)
                self.send_header("access-control-expose-headers", EXPOSED)
                self.send_header("vary", "Origin")
            if self.command != "HEAD":
                self.send_header("content-length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            connection.close()

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = forward  # noqa: N815

        def log_message(self, *args):
            pass

    ThreadingHTTPServer((host, int(port)), Handler).serve_forever()


if __name__ == "__main__":
    serve(*sys.argv[1:5])
