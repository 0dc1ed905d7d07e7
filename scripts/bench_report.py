"""Summarise criterion results (medians) and the boto3 run into BENCHMARKS.md.

Each generated section lives between BEGIN/END markers; everything else in the file is kept.
Usage: bench_report.py CRITERION_DIR BOTO3_JSON BENCHMARKS.md
       bench_report.py --python PYTHON_JSON BENCHMARKS.md
       bench_report.py --cli CLI_JSON BENCHMARKS.md
       bench_report.py --client CLIENT_JSON BENCHMARKS.md
       bench_report.py --download DOWNLOAD_JSON BENCHMARKS.md
       bench_report.py --coldstart COLDSTART_JSON BENCHMARKS.md
       bench_report.py --presign CRITERION_DIR BOTO3_JSON BENCHMARKS.md   (that section alone)
"""
import json
import math
import os
import pathlib
import platform
import statistics
import subprocess
import sys
from datetime import datetime, timezone


def median_us(criterion_dir: pathlib.Path, *path: str) -> float:
    estimates = criterion_dir.joinpath(*path, "new", "estimates.json")
    return json.loads(estimates.read_text())["median"]["point_estimate"] / 1000.0


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    return f"Measured {when} on {cpu} ({len(os.sched_getaffinity(0))} cores), {rustc}, all in one run."


def list_pages(criterion_dir: pathlib.Path) -> list[str]:
    sizes = [10_000, 100_000, 1_000_000]
    rows = []
    for scope in ["owned", "shared"]:
        medians = [median_us(criterion_dir, "list_page_of_50", scope, str(n)) for n in sizes]
        cells = " | ".join(f"{m:,.0f} µs" for m in medians)
        rows.append(f"| {scope} | {cells} | {medians[-1] / medians[0]:.2f}× |")
    return [
        "## Listing a page of 50 on SQLite (`fileshare-core/benches/list_pages.rs`)",
        "",
        "Median time of `FileShare::list_files` for a second page of 50 (keyset condition included),",
        "with 10 k / 100 k / 1 M file records in the table (half of them shared). Target: flat, p50 ≤ 1 ms.",
        "",
        "| scope | 10 k records | 100 k records | 1 M records | 1 M ÷ 10 k |",
        "|---|---|---|---|---|",
        *rows,
    ]


def presign(criterion_dir: pathlib.Path, boto3: dict) -> list[str]:
    rows = []
    labels = {
        "get": "GET (download, response headers)",
        "put": "PUT (multipart part, length signed)",
        "upload": "PUT (whole-file upload: length, headers, If-None-Match signed)",
    }
    for op, label in labels.items():
        ours = median_us(criterion_dir, "presign", op)
        theirs = boto3[op]
        rows.append(
            f"| {label} | {ours:.2f} µs ({1e6 / ours / 1000:,.0f} k/s) | {theirs:.1f} µs "
            f"({1e6 / theirs / 1000:,.1f} k/s) | **{theirs / ours:.0f}×** |"
        )
    return [
        "## Presigning with `S3FileStore` vs boto3 (`fileshare-core/benches/presign.rs`, `scripts/bench_presign_boto3.py`)",
        "",
        "Median time per presigned URL on one core, same key, headers and lifetime on both sides;",
        "boto3 is `generate_presigned_url` from the pinned test venv. Target ≥ 50×.",
        "",
        "| operation | fileshare | boto3 | speed-up |",
        "|---|---|---|---|",
        *rows,
    ]


def python_download_url(result: dict) -> list[str]:
    ours, theirs = result["fileshare"], result["boto3"]
    return [
        "## Download URLs from Python: the bindings vs boto3 (`scripts/bench_python.py`)",
        "",
        "Median per call over rounds of 10 000 calls, one core. fileshare: `FileShare.download_url` through the",
        "whole binding (Python → Rust with the GIL released, authorization read on the memory backend, presign);",
        "boto3: `generate_presigned_url('get_object')` with the same response headers. Target ≥ 10×.",
        "",
        "| call | median | calls/s | speed-up |",
        "|---|---|---|---|",
        f"| `fileshare.FileShare.download_url` | {ours:.1f} µs | {1e6 / ours:,.0f} | **{theirs / ours:.0f}×** |",
        f"| boto3 `generate_presigned_url` | {theirs:.1f} µs | {1e6 / theirs:,.0f} | 1× |",
    ]


def cli_transfers(rows: list) -> list[str]:
    baseline = next(row["peak_rss"] for row in rows if row["peak_rss"])
    lines = []
    for row in rows:
        mib_s = row["bytes"] / row["seconds"] / 2**20
        rss = "–" if row["peak_rss"] is None else f"{row['peak_rss'] / 2**20:.1f} MiB"
        ratio = "–" if row["peak_rss"] is None else f"{row['peak_rss'] / baseline:.2f}×"
        lines.append(f"| {row['label']} | {rss} | {ratio} | {row['seconds']:.2f} s | {mib_s:,.0f} MiB/s |")
    return [
        "## The `fileshare` CLI moving 1 GiB and 5.5 GiB (`scripts/bench_cli.py`)",
        "",
        "The CLI against the local server (`local` build, embedded default, same machine), one process per",
        "transfer, peak RSS sampled from `/proc/PID/status` (VmHWM). Target: under 64 MiB for a 1 GiB upload, i.e. memory flat in file",
        "size — compare with the 1 MiB upload measured in the same run. The multipart row's extra is four parts",
        "in flight, each with its own read buffer and connection; it does not grow with the file. The 5.5 GiB",
        "file (sparse on the sending side, with a random last MiB) is above S3's 5 GiB single-PUT limit: one real",
        "upload through the whole multipart path (704 parts of 8 MiB), downloaded back and compared by SHA-256.",
        "Uploads are bound by the disk, whose own copy-and-fsync speed is the first row: a single PUT writes each",
        "byte once, as fast as the disk copies; a multipart upload on the embedded default writes it twice (the",
        "parts, then the assembled file, each synced), so about half that.",
        "",
        "| transfer | peak RSS | vs 1 MiB upload | wall time | throughput |",
        "|---|---|---|---|---|",
        *lines,
    ]


def client_transfers(rows: list) -> list[str]:
    boto3 = next(row for row in rows if row["tool"].startswith("boto3"))
    mib = lambda row, op: row["bytes"] / row[f"{op}_seconds"] / 2**20  # noqa: E731
    lines = [
        f"| {row['tool']} | {row['upload_seconds']:.2f} s · {mib(row, 'upload'):,.0f} MiB/s · "
        f"{row['upload_seconds'] / boto3['upload_seconds']:.2f}× | {row['upload_rss'] / 2**20:.1f} MiB | "
        f"{row['download_seconds']:.2f} s · {mib(row, 'download'):,.0f} MiB/s · "
        f"{row['download_seconds'] / boto3['download_seconds']:.2f}× | {row['download_rss'] / 2**20:.1f} MiB | "
        f"{row['small_rss'] / 2**20:.1f} MiB |"
        for row in rows
    ]
    return [
        "## 1 GiB with `fileshare.Client` from Python, the CLI and boto3 (`scripts/bench_client.py`)",
        "",
        "The same 1 GiB file (random bytes, on disk) uploaded and downloaded against the same S3 rig (s3s-fs on",
        "this machine): by `fileshare.Client` (release wheel) and the `fileshare` CLI (`local` build) through the",
        "service in AWS mode (`local` build; DynamoDB on moto) — presigned PUTs of 8 MiB parts, four in flight,",
        "then ranged presigned GETs of 8 MiB, four in flight, into a temporary file renamed into place — and by boto3's `upload_file` /",
        "`download_file` straight to s3s-fs (its default TransferConfig: 8 MiB parts, 10 threads, ranged GETs",
        f"in parallel). One process per transfer, peak RSS from `/proc/PID/status` (VmHWM); medians of {rows[0]['rounds']}",
        "rounds, the tools alternating; every tool's first download checked by SHA-256. The ratio is the wall",
        "time against boto3's (lower is faster). The last column is the peak RSS of uploading 1 MiB: the",
        "interpreter, the library and one small transfer — what the 1 GiB rows add to it is what moving a large",
        "file costs. One difference in the work done: fileshare's downloads fsync the file before renaming it into",
        "place (a crash never leaves a torn file under the name); boto3's `download_file` renames without it.",
        "",
        "| tool | upload: time · throughput · vs boto3 | peak RSS | download: time · throughput · vs boto3 | peak RSS | 1 MiB upload |",
        "|---|---|---|---|---|---|",
        *lines,
    ]


def downloads(result: dict) -> list[str]:
    mib = [speed / 2**20 for speed in result["fileshare"]], [speed / 2**20 for speed in result["nginx"]]
    ours, theirs = statistics.median(mib[0]), statistics.median(mib[1])
    return [
        "## A 1 GiB download: the local server next to nginx (`scripts/bench_download.py`)",
        "",
        "The same file on disk (warm in the page cache), over loopback to curl writing to /dev/null, one",
        f"download at a time, {result['rounds']} rounds alternating; medians. fileshare: its presigned URL on the",
        "`local` build (the signature, expiry and access checked, then 1 MiB reads handed to hyper unchanged);",
        "nginx: one worker, `sendfile on`. Target ≥ 0.8×.",
        "",
        "| server | median | best | vs nginx |",
        "|---|---|---|---|",
        f"| fileshare | {ours:,.0f} MiB/s | {max(mib[0]):,.0f} MiB/s | **{ours / theirs:.2f}×** |",
        f"| nginx | {theirs:,.0f} MiB/s | {max(mib[1]):,.0f} MiB/s | 1× |",
    ]


# Lambda prices (us-east-1, per GB-second of duration and per request) and the CPU rule: a function
# gets a share of one vCPU proportional to its memory, a whole vCPU at 1,769 MB.
PRICE_GB_S = {"arm64": 0.0000133334, "x86_64": 0.0000166667}
PRICE_REQUEST = 0.20 / 1e6
FULL_VCPU_MB = 1769
MEMORY_SIZES = [128, 256, 512, 1024, 1769]


def cost_per_million(cpu_ms: float, wait_ms: float, memory_mb: int, arch: str) -> float:
    """Duration = CPU time stretched by the CPU share, plus time waiting on storage (no CPU); billed
    in whole milliseconds."""
    duration_ms = cpu_ms * max(1.0, FULL_VCPU_MB / memory_mb) + wait_ms
    billed_s = math.ceil(duration_ms) / 1000
    return 1e6 * (billed_s * memory_mb / 1024 * PRICE_GB_S[arch] + PRICE_REQUEST)


def coldstart(result: dict) -> list[str]:
    rust, python = result["rust"], result["python"]
    mib = 2**20
    route_rows = [f"| `{r['route']}` | {r['cpu_ms']:.3f} ms | {r['requests']} |" for r in result["routes"]]
    costliest = max(result["routes"], key=lambda r: r["cpu_ms"])
    cost_rows = []
    for wait_ms in [0, 10]:
        cells = " | ".join(f"${cost_per_million(costliest['cpu_ms'], wait_ms, m, 'arm64'):.3f}" for m in MEMORY_SIZES)
        cost_rows.append(f"| {costliest['cpu_ms']:.3f} ms CPU + {wait_ms} ms waiting on storage | {cells} |")
    return [
        "## The API function: cold start, and CPU time per request (`scripts/bench_coldstart.py`)",
        "",
        "The Lambda bootstrap (release build, as deployed) started against a Lambda Runtime API of the",
        f"project's own on 127.0.0.1 and handed an API Gateway v2 event (`GET /health`); median of {result['starts']}",
        "starts. Beside it, under the same harness, a Python 3.11 handler that creates boto3 S3 and DynamoDB",
        "clients at init (a minimal runtime loop drives it). Time from starting the process to its answer, and",
        "the process's peak RSS.",
        "",
        "| function | time to first response | peak RSS |",
        "|---|---|---|",
        f"| fileshare (Rust) | {rust['first_response_ms']:.0f} ms | {rust['peak_rss'] / mib:.1f} MiB |",
        f"| Python 3.11 + boto3 | {python['first_response_ms']:.0f} ms | {python['peak_rss'] / mib:.1f} MiB |",
        f"| ratio | **{python['first_response_ms'] / rust['first_response_ms']:.1f}× faster** | "
        f"**{python['peak_rss'] / rust['peak_rss']:.1f}× smaller** |",
        "",
        "CPU time per request of the warm function (user + system, all threads, over the number of",
        "requests shown), on real storage (S3 on s3s-fs, DynamoDB on moto); waiting for storage costs none.",
        f"Peak RSS after all of them: {result['warm_peak_rss'] / mib:.1f} MiB.",
        "",
        "| route | CPU per request | requests |",
        "|---|---|---|",
        *route_rows,
        "",
        "Cost per million requests of the costliest route by memory size (arm64, $0.0000133334 per GB-s,",
        "$0.20 per million requests; a share of a vCPU proportional to memory, a whole one at 1,769 MB;",
        "duration billed in whole ms). See `infra/README.md` for the choice.",
        "",
        "| request | " + " | ".join(f"{m} MB" for m in MEMORY_SIZES) + " |",
        "|---|" + "---|" * len(MEMORY_SIZES),
        *cost_rows,
    ]


def links(result: dict) -> list[str]:
    plain, redeem, password = result["download_url"], result["redeem_link"], result["redeem_link_password"]
    row = lambda label, r: f"| {label} | {r['p50_ms']:.2f} ms | {r['p99_ms']:.2f} ms | {r['p50_ms'] / plain['p50_ms']:.2f}x | {r['samples']} |"
    return [
        "## Redeeming a share link vs a download URL, over HTTP (`scripts/bench_links.py`)",
        "",
        "One local server (embedded default), one keep-alive connection, the requests interleaved.",
        "A redemption reads the link and its file in one SQLite query and counts the download in one",
        "write transaction (`synchronous = FULL`: an fsync of the WAL), where a download URL is a read only;",
        "a password adds an argon2id check (19 MiB, two passes) and two more counter writes.",
        "",
        "| request | p50 | p99 | p50 vs download-url | samples |",
        "|---|---|---|---|---|",
        row("`GET /files/{id}/download-url` (owner)", plain),
        row("`POST /links/{token}/redeem`", redeem),
        row("`POST /links/{token}/redeem` with a password", password),
    ]


def replace_section(text: str, name: str, lines: list[str]) -> str:
    begin, end = f"<!-- BEGIN {name} (generated by scripts/bench) -->", f"<!-- END {name} -->"
    section = "\n".join([begin, *lines, end])
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        return head + section + rest.split(end, 1)[1]
    return text.rstrip("\n") + "\n\n" + section + "\n"


def main() -> None:
    sections = {
        "--cli": ("cli", cli_transfers),
        "--client": ("client", client_transfers),
        "--python": ("python", python_download_url),
        "--download": ("download", downloads),
        "--coldstart": ("coldstart", coldstart),
        "--links": ("links", links),
    }
    if sys.argv[1] in sections:
        name, render = sections[sys.argv[1]]
        out = pathlib.Path(sys.argv[3])
        result = json.loads(pathlib.Path(sys.argv[2]).read_text())
        text = out.read_text() if out.exists() else "# Benchmarks\n"
        out.write_text(replace_section(text, name, [*render(result), "", machine()]))
        return
    only_presign = sys.argv[1] == "--presign"
    args = sys.argv[2:] if only_presign else sys.argv[1:]
    criterion_dir, boto3_json, out = pathlib.Path(args[0]), pathlib.Path(args[1]), pathlib.Path(args[2])
    boto3 = json.loads(boto3_json.read_text())
    text = out.read_text() if out.exists() else "# Benchmarks\n"
    if only_presign:
        out.write_text(replace_section(text, "presign", [*presign(criterion_dir, boto3), "", machine()]))
        return
    if "<!-- BEGIN list_pages -->" in text:  # the first version's marker
        text = text.replace("<!-- BEGIN list_pages -->", "<!-- BEGIN list_pages (generated by scripts/bench) -->")
    text = replace_section(text, "list_pages", [*list_pages(criterion_dir), "", machine()])
    text = replace_section(text, "presign", [*presign(criterion_dir, boto3), "", machine()])
    out.write_text(text)


if __name__ == "__main__":
    main()
