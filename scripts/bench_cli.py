"""Peak memory and throughput of the `fileshare` CLI moving 1 GiB, and one file above 5 GiB, through
the local service.

Starts the local server (`local` build, embedded default) on 127.0.0.1, logs in with the CLI, and runs each
transfer as its own process, sampling its peak RSS (VmHWM). A 1 MiB upload is measured beside the
1 GiB ones: flat memory means the peaks are about equal. The file above 5 GiB (S3's limit for one
PUT, so multipart is the only way) is sparse on the sending side; it is uploaded, downloaded and
compared by SHA-256.
Usage: bench_cli.py SERVER_BIN CLI_BIN > result.json
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from bench_server import LocalServer  # noqa: E402

MIB = 1024 * 1024
PORT = int(os.environ.get("FILESHARE_BENCH_CLI_PORT", "18083"))
PASSWORD = "correct-Horse-battery-9\n"


def peak_rss(pid):
    """The process's peak RSS so far (VmHWM, of its own address space: unlike wait4's ru_maxrss it does
    not inherit the forking parent's peak), or None once it has exited."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def measure_process(args, env, stdin=None):
    """Runs a process to completion; returns (seconds, peak RSS in bytes, stdout). Peak RSS is sampled
    every 2 ms until exit; it only grows, so the last sample is the peak up to the final 2 ms."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(args, env=env, stdin=subprocess.PIPE, stdout=out)
        process.stdin.write((stdin or "").encode())
        process.stdin.close()
        peak = 0
        while process.poll() is None:
            peak = max(peak, peak_rss(process.pid) or 0)
            time.sleep(0.002)
        seconds = time.perf_counter() - start
        if process.returncode != 0:
            sys.exit(f"{' '.join(map(str, args[:4]))} failed with {process.returncode}")
        out.seek(0)
        return seconds, peak, out.read().decode()


def measure(cli, env, args, stdin=None):
    """The CLI (without progress bars) run by measure_process."""
    return measure_process([cli, "--quiet", *args], env, stdin)


def write_file(path, size):
    block = os.urandom(MIB)
    with open(path, "wb") as f:
        for _ in range(size // MIB):
            f.write(block)


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(8 * MIB):
            digest.update(chunk)
    return digest.hexdigest()


LARGE = 5632 * MIB  # 5.5 GiB


def main():
    server_bin, cli = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as work, LocalServer(server_bin, PORT) as server:
        env = dict(os.environ, FILESHARE_ENDPOINT=server.base, FILESHARE_CONFIG_DIR=f"{work}/config")
        measure(cli, env, ["signup", "cli-bench", "--password-stdin"], PASSWORD)
        measure(cli, env, ["login", "cli-bench", "--password-stdin"], PASSWORD)
        small, big = f"{work}/small.bin", f"{work}/big.bin"
        write_file(small, MIB)
        write_file(big, 1024 * MIB)
        rows = []
        # The disk's own speed in this run, for scale: the same 1 GiB copied and synced, no network.
        start = time.perf_counter()
        with open(big, "rb") as src, open(f"{work}/disk-copy.bin", "wb") as dst:
            while chunk := src.read(8 * MIB):
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        rows.append({"label": "baseline: copy 1 GiB on this disk and fsync (no CLI, no server)", "bytes": 1024 * MIB,
                     "seconds": time.perf_counter() - start, "peak_rss": None})
        os.remove(f"{work}/disk-copy.bin")
        for label, size, args in [
            ("upload 1 MiB (one PUT)", MIB, ["upload", small]),
            ("upload 1 GiB (multipart, 4 parts in flight)", 1024 * MIB, ["upload", big]),
            ("upload 1 GiB (one PUT)", 1024 * MIB, ["upload", big, "--multipart-threshold", str(2048 * MIB)]),
        ]:
            seconds, rss, out = measure(cli, env, args)
            rows.append({"label": label, "bytes": size, "seconds": seconds, "peak_rss": rss})
            file_id = out.split()[0]
        seconds, rss, _ = measure(cli, env, ["download", file_id, "-o", f"{work}/copy.bin"])
        rows.append({"label": "download 1 GiB", "bytes": 1024 * MIB, "seconds": seconds, "peak_rss": rss})
        os.remove(f"{work}/copy.bin")

        large = f"{work}/large.bin"
        with open(large, "wb") as f:
            f.truncate(LARGE)  # sparse: zeros that take no disk on this side
            f.seek(LARGE - MIB)
            f.write(os.urandom(MIB))  # and a tail that is not zeros
        seconds, rss, out = measure(cli, env, ["upload", large])
        rows.append({"label": "upload 5.5 GiB (multipart, above S3's 5 GiB single-PUT limit)", "bytes": LARGE,
                     "seconds": seconds, "peak_rss": rss})
        seconds, rss, _ = measure(cli, env, ["download", out.split()[0], "-o", f"{work}/large-copy.bin"])
        if os.path.getsize(f"{work}/large-copy.bin") != LARGE or sha256(large) != sha256(f"{work}/large-copy.bin"):
            sys.exit("the 5.5 GiB file came back different")
        rows.append({"label": "download 5.5 GiB (SHA-256 identical)", "bytes": LARGE, "seconds": seconds,
                     "peak_rss": rss})
        print(json.dumps(rows))


if __name__ == "__main__":
    main()
