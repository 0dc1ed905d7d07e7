"""10 000 download URLs from Python: through the fileshare bindings vs boto3's generate_presigned_url.

Both sides presign a 5-minute GET of the same kind of key with the same response headers. The
fileshare call goes through the whole binding — Python → Rust, GIL released, the runtime, the
authorization read (memory backend), the presign — so it measures what a Python user gets.
Prints JSON {"fileshare": µs, "boto3": µs} (median per call over several rounds of 10 000).

Usage: bench_python.py   (with fileshare and boto3 installed)
"""
import json

import boto3
from botocore.config import Config

import fileshare
from bench_presign_boto3 import median_us

CALLS = 10_000
ROUNDS = 5
DISPOSITION = "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf"


def main() -> None:
    fs = fileshare.FileShare.memory()
    info = fs.put_bytes("3f1c2b7e-0d0a-4b1e-9e55-1a2b3c4d5e6f", "report.pdf", b"%PDF-1.7", "application/pdf")
    owner, file_id = info.owner, info.file_id
    s3 = boto3.client(
        "s3", region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", config=Config(signature_version="s3v4"),
    )
    key = f"files/{owner}/{file_id}"
    params = {"Bucket": "fileshare-bench", "Key": key, "ResponseContentDisposition": DISPOSITION, "ResponseContentType": "application/pdf"}
    ours = median_us(lambda: fs.download_url(owner, file_id, expires_in=300), CALLS, ROUNDS)
    theirs = median_us(lambda: s3.generate_presigned_url("get_object", Params=params, ExpiresIn=300), CALLS, ROUNDS)
    print(json.dumps({"fileshare": ours, "boto3": theirs}))


if __name__ == "__main__":
    main()
