"""Redeeming a share link next to a plain download-url call, over HTTP on the embedded default.

Interleaved in one run against one server on 127.0.0.1, each over one keep-alive connection:
GET /files/{id}/download-url (the owner, a bearer token), POST /links/{token}/redeem (no account, a link
with no limit), and POST /links/{token}/redeem with the link's password (argon2id). Prints JSON;
scripts/bench_report.py --links writes it into BENCHMARKS.md.
    python3 scripts/bench_links.py SERVER_BIN [ROUNDS]
"""
import http.client
import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from bench_server import LocalServer  # noqa: E402

PORT = 18961


def timed(connection, method, path, body, headers):
    start = time.perf_counter()
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - start
    if response.status != 200:
        raise SystemExit(f"{method} {path}: HTTP {response.status}")
    return elapsed * 1000.0


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100.0 * (len(ordered) - 1))))]


def main():
    server_bin = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    with LocalServer(server_bin, PORT) as server, tempfile.NamedTemporaryFile() as data:
        data.write(b"x" * 4096)
        data.flush()
        file_id = server.upload(data.name, "bench.bin")
        open_link = server.call("POST", f"/files/{file_id}/links", {})["token"]
        guarded = server.call("POST", f"/files/{file_id}/links", {"password": "bench password"})["token"]
        connection = http.client.HTTPConnection("127.0.0.1", PORT)
        auth = {"authorization": f"Bearer {server.token}"}
        json_headers = {"content-type": "application/json"}
        cases = {
            "download_url": ("GET", f"/files/{file_id}/download-url", None, auth),
            "redeem_link": ("POST", f"/links/{open_link}/redeem", b"{}", json_headers),
            "redeem_link_password": (
                "POST", f"/links/{guarded}/redeem", json.dumps({"password": "bench password"}).encode(), json_headers),
        }
        samples = {name: [] for name in cases}
        for _ in range(50):  # warm up every path
            for case in cases.values():
                timed(connection, *case)
        for n in range(rounds):
            for name, case in cases.items():
                # Password checks cost tens of milliseconds each: a tenth as many samples.
                if name == "redeem_link_password" and n % 10:
                    continue
                samples[name].append(timed(connection, *case))
        connection.close()
    result = {
        name: {"p50_ms": statistics.median(values), "p99_ms": percentile(values, 99), "samples": len(values)}
        for name, values in samples.items()
    }
    json.dump(result, sys.stdout, indent=2)


if __name__ == "__main__":
    main()
