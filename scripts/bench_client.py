"""fileshare.Client from Python moving 1 GiB, next to the `fileshare` CLI and next to boto3's
upload_file/download_file — all against the same S3 rig (s3s-fs).

The service runs in AWS mode (`local` build) on s3s-fs and moto's DynamoDB, with its built-in
accounts. The CLI logs in once; fileshare.Client.from_env() shares that session (the CLI's
credentials file). boto3 talks to the same s3s-fs directly, with its default TransferConfig (8 MiB
parts, 10 threads). Every transfer is its own process, its peak RSS sampled from /proc (VmHWM); each
tool moves the file ROUNDS times, alternating with the others, and the medians are reported; each
also uploads 1 MiB, for the memory a small transfer takes. Every tool's first download is checked by
SHA-256 against the original.

Usage (the bench venv's python, with fileshare and boto3; the test servers' env sourced):
    bench_client.py SERVER_BIN CLI_BIN > result.json
"""
import json
import os
import statistics
import sys
import tempfile

import boto3

sys.path.insert(0, os.path.dirname(__file__))
from bench_cli import measure as measure_cli  # noqa: E402
from bench_cli import measure_process as run  # noqa: E402
from bench_cli import sha256, write_file  # noqa: E402
from bench_server import PASSWORD, LocalServer  # noqa: E402

MIB = 1024 * 1024
SIZE = 1024 * MIB
ROUNDS = int(os.environ.get("FILESHARE_BENCH_CLIENT_ROUNDS", "3"))
PORT = int(os.environ.get("FILESHARE_BENCH_CLIENT_PORT", "18084"))
BUCKET = "fileshare-bench-boto3"

CLIENT_UPLOAD = "import fileshare, sys; print(fileshare.Client.from_env().upload(sys.argv[1]).file_id)"
CLIENT_DOWNLOAD = "import fileshare, sys; fileshare.Client.from_env().download(sys.argv[1], sys.argv[2], overwrite=True)"
BOTO3 = """import boto3, os, sys
s3 = boto3.client("s3", endpoint_url=os.environ["FILESHARE_TEST_S3_ENDPOINT"], region_name="us-east-1")
if sys.argv[1] == "upload":
    s3.upload_file(sys.argv[2], sys.argv[3], sys.argv[4])
else:
    s3.download_file(sys.argv[3], sys.argv[4], sys.argv[2])
"""


def main():
    server_bin, cli = sys.argv[1], sys.argv[2]
    s3_endpoint = os.environ["FILESHARE_TEST_S3_ENDPOINT"]
    storage = dict(
        FILESHARE_BUCKET="fileshare-bench-client",
        FILESHARE_TABLE="fileshare-bench-client",
        FILESHARE_S3_ENDPOINT=s3_endpoint,
        FILESHARE_DYNAMODB_ENDPOINT=os.environ["FILESHARE_TEST_DYNAMODB_ENDPOINT"],
    )
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    try:
        s3.create_bucket(Bucket=BUCKET)
    except (s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists):
        pass
    with tempfile.TemporaryDirectory() as work, LocalServer(server_bin, PORT, **storage) as server:
        env = dict(os.environ, FILESHARE_ENDPOINT=server.base, FILESHARE_CONFIG_DIR=f"{work}/config")
        measure_cli(cli, env, ["login", "bench", "--password-stdin"], PASSWORD + "\n")
        source, small, copy = f"{work}/big.bin", f"{work}/small.bin", f"{work}/copy.bin"
        write_file(source, SIZE)
        write_file(small, MIB)
        original = sha256(source)
        python = sys.executable

        def client(round_):
            little = run([python, "-c", CLIENT_UPLOAD, small], env)
            up = run([python, "-c", CLIENT_UPLOAD, source], env)
            down = run([python, "-c", CLIENT_DOWNLOAD, up[2].strip(), copy], env)
            ids = [little[2].strip(), up[2].strip()]
            return little, up, down, lambda: run([cli, "rm", *ids], env)

        def command_line(round_):
            little = run([cli, "--quiet", "upload", small], env)
            up = run([cli, "--quiet", "upload", source], env)
            down = run([cli, "--quiet", "download", up[2].split()[0], "-o", copy, "--force"], env)
            ids = [little[2].split()[0], up[2].split()[0]]
            return little, up, down, lambda: run([cli, "rm", *ids], env)

        def boto(round_):
            keys = [f"small-{round_}.bin", f"big-{round_}.bin"]
            little = run([python, "-c", BOTO3, "upload", small, BUCKET, keys[0]], env)
            up = run([python, "-c", BOTO3, "upload", source, BUCKET, keys[1]], env)
            down = run([python, "-c", BOTO3, "download", copy, BUCKET, keys[1]], env)
            return little, up, down, lambda: [s3.delete_object(Bucket=BUCKET, Key=key) for key in keys]

        tools = {"fileshare.Client (Python)": client, "fileshare CLI": command_line, "boto3 upload_file/download_file": boto}
        fields = ("upload", "download", "upload_rss", "download_rss", "small_rss")
        results = {name: {field: [] for field in fields} for name in tools}
        for round_ in range(ROUNDS):
            for name, move in tools.items():
                little, up, down, clean = move(round_)
                results[name]["small_rss"].append(little[1])
                if round_ == 0 and sha256(copy) != original:
                    sys.exit(f"{name}: the downloaded file differs from the original")
                os.remove(copy)
                clean()
                for key, (seconds, rss, _) in (("upload", up), ("download", down)):
                    results[name][key].append(seconds)
                    results[name][f"{key}_rss"].append(rss)
        rows = []
        for name, r in results.items():
            rows.append({
                "tool": name,
                "bytes": SIZE,
                "rounds": ROUNDS,
                "upload_seconds": statistics.median(r["upload"]),
                "download_seconds": statistics.median(r["download"]),
                "upload_rss": statistics.median(r["upload_rss"]),
                "download_rss": statistics.median(r["download_rss"]),
                "small_rss": statistics.median(r["small_rss"]),
            })
        print(json.dumps(rows))


if __name__ == "__main__":
    main()
