"""boto3's presigning, measured the same way as benches/presign.rs: same key, headers and lifetimes.

Prints JSON: {"get": µs, "put": µs, "upload": µs} — the median per call over several rounds.
Run by scripts/bench with the venv of scripts/test-servers (pinned boto3).
"""
import json
import statistics
import time

import boto3
from botocore.config import Config

ROUNDS = 7
CALLS = 3000

KEY = "files/3f1c2b7e-0d0a-4b1e-9e55-1a2b3c4d5e6f/01KB5W0Z3SAQYJ9Q5Z0R3M8E2V"
DISPOSITION = (
    "attachment; filename=\"r_sum_ 2026 _ __.pdf\"; "
    "filename*=UTF-8''r%C3%A9sum%C3%A9%202026%20%E2%80%94%20%E6%9D%B1%E4%BA%AC.pdf"
)


def median_us(call, calls: int = CALLS, rounds: int = ROUNDS) -> float:
    """Median time of one `call`, in µs, over `rounds` rounds of `calls` calls."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            call()
        times.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(times)


def main() -> None:
    s3 = boto3.client(
        "s3",
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        config=Config(signature_version="s3v4"),
    )
    bucket = "fileshare-bench"
    get = lambda: s3.generate_presigned_url(  # noqa: E731
        "get_object",
        Params={
            "Bucket": bucket,
            "Key": KEY,
            "ResponseContentDisposition": DISPOSITION,
            "ResponseContentType": "application/pdf",
        },
        ExpiresIn=300,
    )
    put = lambda: s3.generate_presigned_url(  # noqa: E731
        "upload_part",
        Params={"Bucket": bucket, "Key": KEY, "UploadId": "2~abcdefghijklmnopqrstuvwxyz012345", "PartNumber": 7},
        ExpiresIn=300,
    )
    upload = lambda: s3.generate_presigned_url(  # noqa: E731
        "put_object",
        Params={
            "Bucket": bucket,
            "Key": KEY,
            "ContentType": "application/pdf",
            "ContentDisposition": DISPOSITION,
            "ContentLength": 52311,
            "IfNoneMatch": "*",
        },
        ExpiresIn=300,
    )
    for warm in (get, put, upload):
        warm()
    print(json.dumps({"get": median_us(get), "put": median_us(put), "upload": median_us(upload)}))


if __name__ == "__main__":
    main()
