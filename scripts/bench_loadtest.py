"""Requests/s of the local server's routes under load, each next to `/health` in the same run.

wrk (2 threads, 64 connections, DURATION per route) on the same machine as the server (embedded
default, one user with 20 files): `/health` (no token: the HTTP stack alone), `/me` (a verified token,
nothing else), the owner's listing, a download URL, and half-and-half listing and download URL.
With BASELINE_BIN, every route is also run against that server (another build), alternating with this
one, so before and after are measured side by side.
Usage: bench_loadtest.py SERVER_BIN DURATION [BASELINE_BIN] > result.json
"""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from bench_server import LocalServer  # noqa: E402

LUA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "loadtest.lua")
PORTS = {"server": int(os.environ.get("FILESHARE_LOADTEST_PORT", "18080")), "baseline": 18090}


def wrk(server, duration, token, paths):
    out = subprocess.run(["wrk", "-t2", "-c64", f"-d{duration}", "--latency", "-s", LUA, server.base, "--",
                          token, *paths], check=True, capture_output=True, text=True).stdout
    percentiles = dict(re.findall(r"^\s+(50|90|99)%\s+([\d.]+\w+)", out, re.M))
    non_2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "p50": percentiles.get("50"), "p99": percentiles.get("99"),
            "errors": non_2xx + (sum(int(g) for g in socket.groups()) if socket else 0)}


def prepared(server):
    """20 small files, and the paths of each route for this server's user."""
    with tempfile.TemporaryDirectory() as work:
        ids = []
        for i in range(20):
            path = os.path.join(work, f"f{i}.txt")
            with open(path, "w") as f:
                f.write(f"file {i}\n")
            ids.append(server.upload(path))
    listing, link = "/files?scope=owned&limit=50", f"/files/{ids[-1]}/download-url"
    return [("GET /health (no token)", "-", ["/health"]), ("GET /me", server.token, ["/me"]),
            ("GET /files?scope=owned&limit=50 (20 files)", server.token, [listing]),
            ("GET /files/{id}/download-url", server.token, [link]),
            ("half listing, half download URL", server.token, [listing, link])]


def main():
    server_bin, duration = sys.argv[1], sys.argv[2]
    builds = {"server": server_bin}
    if len(sys.argv) > 3:
        builds["baseline"] = sys.argv[3]
    results = {}
    servers = {name: LocalServer(binary, PORTS[name]) for name, binary in builds.items()}
    try:
        routes = {name: prepared(server.__enter__()) for name, server in servers.items()}
        for i, (label, _, _) in enumerate(routes["server"]):
            for name, server in servers.items():
                _, token, paths = routes[name][i]
                results.setdefault(label, {})[name] = wrk(server, duration, token, paths)
    finally:
        for server in servers.values():
            server.__exit__()
    print(json.dumps({"duration": duration, "routes": results}))


if __name__ == "__main__":
    main()
