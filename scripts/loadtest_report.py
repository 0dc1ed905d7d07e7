"""Writes a wrk run's numbers into BENCHMARKS.md; fails if any request erred.

Usage: loadtest_report.py WRK_OUTPUT DURATION BENCHMARKS.md
"""
import re
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
from bench_report import machine, replace_section  # noqa: E402


def main() -> None:
    text, duration, out = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    total = int(re.search(r"(\d+) requests in", text).group(1))
    percentiles = dict(re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+\w+)", text, re.M))
    non_2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", text)) else 0
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    socket_errors = sum(int(g) for g in socket.groups()) if socket else 0
    errors = non_2xx + socket_errors
    lines = [
        "## Load test of the local server (`scripts/loadtest`)",
        "",
        f"wrk, 2 threads, 64 connections, {duration}, on the same 2-core machine as the server (release build,",
        "embedded default, one user with 60 files): half `GET /files?scope=owned&limit=50`, half",
        "`GET /files/{id}/download-url`, each authenticated with a bearer token verified per request.",
        "",
        "| requests | requests/s | p50 | p90 | p99 | errors |",
        "|---|---|---|---|---|---|",
        f"| {total:,} | {rps:,.0f} | {percentiles.get('50')} | {percentiles.get('90')} | {percentiles.get('99')} | {errors} |",
        "",
        machine(),
    ]
    text_out = open(out).read() if __import__("os").path.exists(out) else "# Benchmarks\n"
    open(out, "w").write(replace_section(text_out, "loadtest", lines))
    if errors:
        sys.exit(f"{errors} requests failed")


if __name__ == "__main__":
    main()
