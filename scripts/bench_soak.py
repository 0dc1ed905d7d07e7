"""Load and soak: many concurrent clients, each its own user, run a mixed workload against the local
server — logins, single and multipart uploads (through the presigned URLs, as clients do), listings,
file views, download links and downloads (bytes checked), shares, unshares, deletes — and count
every answer that is not the one the API promises as an error. The server's resident memory is
sampled throughout: it must stay flat.

    python3 scripts/bench_soak.py SERVER_BIN [--seconds 600] [--clients 16] [--report RELIABILITY.md]

Without --report it only checks (exit 1 on any error): what ./scripts/test runs, briefly.
"""
import argparse
import hashlib
import http.client
import json
import os
import pathlib
import random
import statistics
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from bench_server import PASSWORD, LocalServer  # noqa: E402

MIB = 1024 * 1024
PART = 8 * MIB  # the server's smallest part but the last
OPERATIONS = {  # weight of each operation in the mix
    "list": 25, "get": 10, "download": 15, "upload": 15, "upload_multipart": 1, "share": 10,
    "unshare": 5, "delete": 8, "me": 5, "login": 1,
}


class Refused(Exception):
    pass


class Client:
    """One user on one keep-alive connection."""

    def __init__(self, base, username, peer):
        url = urllib.parse.urlsplit(base)
        self.host, self.port = url.hostname, url.port
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        self.username, self.peer, self.token = username, peer, None
        self.files = {}  # id -> sha256 of the bytes
        self.shared = set()

    def request(self, method, path, body=None, headers=None, expect=(200,)):
        headers = dict(headers or {})
        if self.token and not path.startswith("/blobs/"):
            headers["authorization"] = f"Bearer {self.token}"
        if isinstance(body, (dict, list)):
            body, headers["content-type"] = json.dumps(body).encode(), "application/json"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()  # a broken connection is an error, and the next request reconnects
            raise Refused(f"{method} {path}: connection failed")
        if response.status not in expect:
            raise Refused(f"{method} {path.split('?')[0]}: {response.status} {data[:200]!r}")
        return response, data

    def call(self, method, path, body=None, expect=(200,)):
        _, data = self.request(method, path, body, expect=expect)
        return json.loads(data) if data else None

    def log_in(self, sign_up=False):
        credentials = {"username": self.username, "password": PASSWORD}
        if sign_up:
            self.call("POST", "/auth/signup", credentials, expect=(201,))
        self.token = None
        self.token = self.call("POST", "/auth/login", credentials)["access_token"]
        self.user_id = self.call("GET", "/me")["user_id"]

    @staticmethod
    def path_of(url):
        parts = urllib.parse.urlsplit(url)
        return f"{parts.path}?{parts.query}"

    def upload(self, multipart=False):
        size = PART + random.randint(1, 64 * 1024) if multipart else random.randint(1, 256 * 1024)
        data = os.urandom(size)
        ticket = self.call("POST", "/files/upload-url", {"name": "soak.bin", "size": size,
                           "content_type": "application/octet-stream", "multipart": multipart}, expect=(201,))
        parts = []
        if multipart:
            offset = 0
            for part in ticket["multipart"]["parts"]:
                response, _ = self.request("PUT", self.path_of(part["url"]), data[offset:offset + part["size"]])
                parts.append({"part_number": part["part_number"], "etag": response.getheader("etag")})
                offset += part["size"]
        else:
            upload = ticket["upload"]
            self.request("PUT", self.path_of(upload["url"]), data, headers=upload["headers"])
        self.call("POST", f"/files/{ticket['file_id']}/complete", {"parts": parts})
        self.files[ticket["file_id"]] = hashlib.sha256(data).hexdigest()

    def some_file(self):
        if not self.files:
            self.upload()
        return random.choice(list(self.files))

    def step(self, operation):
        if operation == "list":
            self.call("GET", f"/files?limit={random.choice((10, 50, 100))}")
        elif operation == "get":
            self.call("GET", f"/files/{self.some_file()}")
        elif operation == "download":
            file_id = self.some_file()
            link = self.call("GET", f"/files/{file_id}/download-url")
            _, data = self.request("GET", self.path_of(link["url"]))
            if hashlib.sha256(data).hexdigest() != self.files[file_id]:
                raise Refused(f"download of {file_id}: the bytes differ")
        elif operation in ("upload", "upload_multipart"):
            self.upload(multipart=operation == "upload_multipart")
            if len(self.files) > 40:  # keep each user's listing bounded
                self.step("delete")
        elif operation == "share":
            file_id = self.some_file()
            self.call("POST", f"/files/{file_id}/share", {"user_id": self.peer.user_id})
            self.shared.add(file_id)
        elif operation == "unshare":
            if self.shared:
                file_id = self.shared.pop()
                self.request("DELETE", f"/files/{file_id}/share/{self.peer.user_id}", expect=(204,))
        elif operation == "delete":
            file_id = self.some_file()
            self.request("DELETE", f"/files/{file_id}", expect=(204,))
            del self.files[file_id]
            self.shared.discard(file_id)
        elif operation == "me":
            self.call("GET", "/me")
        elif operation == "login":
            self.log_in()


def rss_kib(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def run(server_bin, seconds, clients_n, port):
    with LocalServer(server_bin, port, FILESHARE_LOGIN_RATE="1000000") as server:
        clients = [Client(server.base, f"soak-{i}", None) for i in range(clients_n)]
        for i, client in enumerate(clients):
            client.peer = clients[(i + 1) % clients_n]
            client.log_in(sign_up=True)
        latencies = {name: [] for name in OPERATIONS}
        errors, lock, stop = [], threading.Lock(), time.monotonic() + seconds
        names, weights = list(OPERATIONS), list(OPERATIONS.values())

        def work(client):
            while time.monotonic() < stop:
                operation = random.choices(names, weights)[0]
                began = time.perf_counter()
                try:
                    client.step(operation)
                except Refused as e:
                    with lock:
                        errors.append(str(e))
                    continue
                with lock:
                    latencies[operation].append(time.perf_counter() - began)

        rss = []  # (seconds since start, KiB)
        started = time.monotonic()

        def sample():
            while time.monotonic() < stop:
                rss.append((time.monotonic() - started, rss_kib(server.process.pid)))
                time.sleep(2)

        threads = [threading.Thread(target=work, args=(c,)) for c in clients] + [threading.Thread(target=sample)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return {"seconds": seconds, "clients": clients_n, "latencies": latencies, "errors": errors, "rss": rss}


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")


def report_lines(result):
    lat, rss = result["latencies"], result["rss"]
    total = sum(len(v) for v in lat.values())
    minute = [kib for t, kib in rss if t >= 60] or [kib for _, kib in rss]
    lines = [
        f"{total + len(result['errors'])} operations from {result['clients']} concurrent clients (each its own user) "
        f"in {result['seconds']} s against the release server (`--profile local`, embedded default): "
        f"**{len(result['errors'])} errors**, {total / result['seconds']:.0f} operations/s. An operation is "
        "the whole client action (an upload is upload-url, the PUT and complete; a download is the link and "
        "the GET, bytes checked).",
        "",
        "| operation | count | p50 | p99 |",
        "|---|---:|---:|---:|",
    ]
    for name, values in lat.items():
        if values:
            lines.append(f"| {name} | {len(values)} | {statistics.median(values) * 1e3:.1f} ms "
                         f"| {percentile(values, 0.99) * 1e3:.1f} ms |")
    lines += [
        "",
        f"Server resident memory (sampled every 2 s): {rss[0][1] / 1024:.1f} MiB at the start, "
        f"{minute[0] / 1024:.1f} MiB after the first minute, peak {max(k for _, k in rss) / 1024:.1f} MiB, "
        f"{rss[-1][1] / 1024:.1f} MiB at the end (end / first minute: {rss[-1][1] / minute[0]:.2f}).",
        "By minute: " + ", ".join(f"{max(k for t, k in rss if m * 60 <= t < (m + 1) * 60) / 1024:.0f}"
                                  for m in range(int(rss[-1][0] // 60) + 1) if any(m * 60 <= t < (m + 1) * 60 for t, _ in rss))
        + " MiB (the peak of each minute).",
    ]
    return lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("server_bin")
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--port", type=int, default=18093)
    parser.add_argument("--report", type=pathlib.Path)
    args = parser.parse_args()
    result = run(args.server_bin, args.seconds, args.clients, args.port)
    lines = report_lines(result)
    print("\n".join(lines))
    for error in result["errors"][:20]:
        print("error:", error, file=sys.stderr)
    if args.report:
        begin, end = "<!-- BEGIN soak (generated by scripts/soak) -->", "<!-- END soak -->"
        text = args.report.read_text()
        head, rest = text.split(begin, 1)
        args.report.write_text(head + begin + "\n" + "\n".join(lines) + "\n" + end + rest.split(end, 1)[1])
    sys.exit(1 if result["errors"] else 0)


if __name__ == "__main__":
    main()
