"""Shared by the examples: which service to use, and fresh user ids.

No setup needed: the embedded default in a temporary directory (or $FILESHARE_DATA_DIR).
With FILESHARE_BUCKET and FILESHARE_TABLE set, S3 + DynamoDB instead (FILESHARE_S3_ENDPOINT and
FILESHARE_DYNAMODB_ENDPOINT point at S3/DynamoDB-compatible servers, e.g. ./scripts/test-servers).
"""

import os
import tempfile
import uuid

import fileshare


def open_service() -> fileshare.FileShare:
    bucket, table = os.environ.get("FILESHARE_BUCKET"), os.environ.get("FILESHARE_TABLE")
    if bucket and table:
        print(f"backend: S3 bucket {bucket} + DynamoDB table {table}")
        return fileshare.FileShare.aws(
            bucket=bucket,
            table=table,
            region=os.environ.get("AWS_REGION", "us-east-1"),
            s3_endpoint_url=os.environ.get("FILESHARE_S3_ENDPOINT"),
            dynamodb_endpoint_url=os.environ.get("FILESHARE_DYNAMODB_ENDPOINT"),
            create_missing=True,
        )
    data_dir = os.environ.get("FILESHARE_DATA_DIR") or tempfile.mkdtemp(prefix="fileshare-example-")
    print(f"backend: embedded default in {data_dir}")
    return fileshare.FileShare.local(data_dir)


def new_user(name: str) -> str:
    """A user id. Real ones come from the identity provider (Cognito's `sub`); see example 3."""
    return f"{name}-{uuid.uuid4().hex[:8]}"
