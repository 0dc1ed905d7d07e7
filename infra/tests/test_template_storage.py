"""What S3 decides that s3s-fs does not: KMS permissions for a customer key, 403 or 404 for a missing
object, and conditional writes required by the bucket instead of by each client's signature."""

from cfn_template import actions, by_sid, function_statements, policy_statements

BUCKET_BY_NAME = {"Fn::Sub": "arn:${AWS::Partition}:s3:::fileshare-${StageName}-${AWS::AccountId}-${AWS::Region}"}


def test_a_customer_key_lets_the_api_function_sign_transfers(template):
    """Presigned PUTs, part uploads, GETs and HEADs run with the API function's credentials: with
    SSE-KMS, S3 asks KMS for a data key (PutObject, CreateMultipartUpload) and to decrypt one (parts,
    completion, GetObject, HeadObject) as that role, through S3 only."""
    policy = template["Resources"]["ApiFunction"]["Properties"]["Policies"][0]["Statement"]
    conditional = [s for s in policy if "Fn::If" in s]
    assert conditional, "no KMS statement under HasKmsKey: with KmsKeyArn set, every upload and download is AccessDenied"
    (statement,) = conditional
    condition, grant, otherwise = statement["Fn::If"]
    assert condition == "HasKmsKey" and otherwise == {"Ref": "AWS::NoValue"}
    assert grant == {
        "Sid": "FileObjectsKey",
        "Effect": "Allow",
        "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
        "Resource": {"Ref": "KmsKeyArn"},
        "Condition": {"StringEquals": {"kms:ViaService": {"Fn::Sub": "s3.${AWS::Region}.amazonaws.com"}}},
    }
    # The events function deletes objects and aborts uploads: neither reads or writes encrypted data.
    events = function_statements(template, "EventsFunction")
    assert not any(a.startswith("kms:") for s in events for a in actions(s))


def test_missing_objects_answer_404(template):
    """Without s3:ListBucket, S3 answers a HEAD or GET of a missing key 403, and "not uploaded yet"
    becomes a 5xx. Granted on the bucket without an s3:prefix condition (see the template)."""
    listing = [s for s in function_statements(template, "ApiFunction") if "s3:ListBucket" in actions(s)]
    assert listing, "the API function cannot list the bucket: S3 answers 403 instead of 404 for a missing object"
    (statement,) = listing
    assert actions(statement) == {"s3:ListBucket"} and statement["Resource"] == BUCKET_BY_NAME and "Condition" not in statement
    events = function_statements(template, "EventsFunction")
    assert not any("s3:ListBucket" in actions(s) and s["Resource"] == BUCKET_BY_NAME for s in events)


def test_the_bucket_requires_if_none_match_on_object_creation(template):
    """Immutability no longer rests on the client's signature: a PutObject or CompleteMultipartUpload
    under files/ without If-None-Match is refused by the bucket (CreateMultipartUpload and UploadPart
    take no conditional header, and s3:ObjectCreationOperation is false for them)."""
    policy = by_sid(policy_statements(template, "FilesBucketPolicy"))
    assert "RequireIfNoneMatch" in policy, "no bucket policy statement requires If-None-Match: a leaked credential can overwrite files"
    assert policy["RequireIfNoneMatch"] == {
        "Sid": "RequireIfNoneMatch",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:PutObject",
        "Resource": {"Fn::Sub": "${FilesBucket.Arn}/files/*"},
        "Condition": {"Null": {"s3:if-none-match": "true"}, "Bool": {"s3:ObjectCreationOperation": "true"}},
    }
