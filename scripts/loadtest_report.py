"""Writes a load test's figures (bench_loadtest.py's JSON) into BENCHMARKS.md; fails if any request erred.

Usage: loadtest_report.py RESULT_JSON BENCHMARKS.md
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from bench_report import machine, replace_section  # noqa: E402


def main() -> None:
    result, out = json.load(open(sys.argv[1])), sys.argv[2]
    routes, duration = result["routes"], result["duration"]
    health = next(iter(routes.values()))
    baseline = "baseline" in health
    header = "| route | requests/s | share of `/health` | p50 | p99 | errors |"
    rule = "|---|---|---|---|---|---|"
    if baseline:
        header += " before: requests/s | before: share of `/health` |"
        rule += "---|---|"
    rows, errors = [], 0
    for label, runs in routes.items():
        run = runs["server"]
        errors += run["errors"] + (runs["baseline"]["errors"] if baseline else 0)
        share = run["rps"] / health["server"]["rps"]
        row = f"| `{label}` | {run['rps']:,.0f} | {share:.0%} | {run['p50']} | {run['p99']} | {run['errors']} |"
        if baseline:
            before = runs["baseline"]
            row += f" {before['rps']:,.0f} | {before['rps'] / health['baseline']['rps']:.0%} |"
        rows.append(row)
    lines = [
        "## Load test of the local server (`scripts/loadtest`)",
        "",
        f"wrk, 2 threads, 64 connections, {duration} per route, on the same 2-core machine as the server",
        "(`local` profile, embedded default, one user with 20 files), one route after another in one run;",
        "every route but `/health` sends a bearer token, verified as on every request. Targets: `/me` ≥ 70 %",
        "and the owned listing ≥ 50 % of `/health`.",
        *(["`before`: the same routes against the server as it was before token caching, alternating."]
          if baseline else []),
        "",
        header,
        rule,
        *rows,
        "",
        machine(),
    ]
    text = open(out).read() if os.path.exists(out) else "# Benchmarks\n"
    open(out, "w").write(replace_section(text, "loadtest", lines))
    if errors:
        sys.exit(f"{errors} requests failed")


if __name__ == "__main__":
    main()
