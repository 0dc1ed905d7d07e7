"""The template's hardening, asserted: a regression (a wildcard action, public access, plain HTTP,
no throttling, a missing alarm…) fails CI. Run: python -m pytest infra/tests."""

import json

from cfn_template import as_list, by_sid, function_statements, policy_statements, resources, statements


# Actions with no resource type in AWS's Service Authorization Reference: "*" is the only resource
# they can be granted on (Lambda's stream polling lists the table's streams).
UNSCOPABLE = {"dynamodb:ListStreams"}


def test_no_wildcard_actions_or_resources(template):
    for function, stmts in statements(template):
        for stmt in stmts:
            assert stmt["Effect"] == "Allow"
            for action in as_list(stmt["Action"]):
                assert "*" not in action, f"{function}: wildcard action {action}"
            for resource in as_list(stmt["Resource"]):
                unscopable = set(as_list(stmt["Action"])) <= UNSCOPABLE
                assert resource != "*" or unscopable, f"{function}: unscoped resource"


# The files/ prefix of this stack's bucket, by reference or (to avoid a dependency cycle) by its name.
FILES_PREFIX = [
    {"Fn::Sub": "${FilesBucket.Arn}/files/*"},
    {"Fn::Sub": "arn:${AWS::Partition}:s3:::fileshare-${StageName}-${AWS::AccountId}-${AWS::Region}/files/*"},
]
FILES_BUCKET = {"Fn::Sub": "arn:${AWS::Partition}:s3:::fileshare-${StageName}-${AWS::AccountId}-${AWS::Region}"}
FAILED_BATCHES = {"FailedBatches": {"Fn::Sub": "${FailedEventsBucket.Arn}/*"}, "FailedBatchesBucket": {"Fn::GetAtt": ["FailedEventsBucket", "Arn"]}}


def test_object_access_is_limited_to_the_files_prefix(template):
    """Objects: files/ only. The files bucket itself: listing only, by the API function (404s). The
    events function's stream mapping writes failed batches to their own bucket."""
    assert template["Resources"]["FilesBucket"]["Properties"]["BucketName"] == {
        "Fn::Sub": "fileshare-${StageName}-${AWS::AccountId}-${AWS::Region}"
    }
    for function, stmts in statements(template):
        for stmt in stmts:
            actions = set(as_list(stmt["Action"]))
            if not any(a.startswith("s3:") for a in actions):
                continue
            if stmt["Sid"] in FAILED_BATCHES:
                assert function == "EventsFunction" and stmt["Resource"] == FAILED_BATCHES[stmt["Sid"]]
            elif actions == {"s3:ListBucket"}:
                assert function == "ApiFunction" and stmt["Resource"] == FILES_BUCKET
            else:
                for resource in as_list(stmt["Resource"]):
                    assert resource in FILES_PREFIX, f"{function}: {resource}"


def test_table_access_is_limited_to_this_table(template):
    allowed = [{"Fn::GetAtt": ["MetadataTable", "Arn"]}, {"Fn::Sub": "${MetadataTable.Arn}/index/*"}]
    for function, stmts in statements(template):
        for stmt in stmts:
            actions = as_list(stmt["Action"])
            if any(a.startswith("dynamodb:") for a in actions):
                stream_only = set(actions) <= {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"}
                expected = [{"Fn::GetAtt": ["MetadataTable", "StreamArn"]}] if stream_only else allowed
                if set(actions) <= UNSCOPABLE:
                    expected = ["*"]
                for resource in as_list(stmt["Resource"]):
                    assert resource in expected, f"{function}: {actions} on {resource}"


def test_bucket_blocks_public_access_and_is_encrypted(template):
    bucket = template["Resources"]["FilesBucket"]["Properties"]
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True} and len(bucket["PublicAccessBlockConfiguration"]) == 4
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    rules = {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}
    assert rules["abort-incomplete-multipart"]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 1
    assert rules["files-to-glacier-ir"]["Transitions"][0]["StorageClass"].startswith("GLACIER")
    assert bucket["CorsConfiguration"]["CorsRules"][0]["ExposedHeaders"] == ["ETag"]


def test_bucket_refuses_plain_http(template):
    policy = template["Resources"]["FilesBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in policy
    ), "TLS-only statement missing"


def test_table_matches_the_dynamodb_backend(template):
    table = template["Resources"]["MetadataTable"]["Properties"]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["SSESpecification"]["SSEEnabled"] is True
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    indexes = {i["IndexName"]: [k["AttributeName"] for k in i["KeySchema"]] for i in table["GlobalSecondaryIndexes"]}
    assert indexes == {"GSI1": ["GSI1PK", "GSI1SK"], "GSI2": ["GSI2PK", "GSI2SK"]}


def test_api_requires_jwt_throttles_and_logs(template):
    api = template["Resources"]["HttpApi"]["Properties"]
    assert api["StageName"] == "$default", "a named stage prefixes rawPath and breaks routing"
    assert api["Auth"]["DefaultAuthorizer"] == "Cognito"
    assert api["Auth"]["Authorizers"]["Cognito"]["JwtConfiguration"]["audience"]
    assert api["DefaultRouteSettings"] == {"ThrottlingRateLimit": {"Ref": "ApiRateLimit"}, "ThrottlingBurstLimit": {"Ref": "ApiBurstLimit"}}
    assert api["AccessLogSettings"]["DestinationArn"]


PUBLIC_LINK_ROUTES = {("GET", "/links/{token}"), ("POST", "/links/{token}/redeem"), ("GET", "/l/{token}")}
PAGE_ROUTES = {("GET", "/"), ("GET", "/assets/{name}"), ("POST", "/auth/session"), ("POST", "/auth/refresh"),
               ("POST", "/auth/logout")}


def test_only_health_share_links_and_the_page_skip_the_authorizer_and_are_throttled_apart(template):
    events = template["Resources"]["ApiFunction"]["Properties"]["Events"].values()
    public = {
        (e["Properties"]["Method"], e["Properties"]["Path"])
        for e in events
        if e["Properties"].get("Auth", {}).get("Authorizer") == "NONE"
    }
    assert public == {("GET", "/health")} | PUBLIC_LINK_ROUTES | PAGE_ROUTES
    settings = template["Resources"]["HttpApi"]["Properties"]["RouteSettings"]
    assert set(settings) == {f"{method} {path}" for method, path in PUBLIC_LINK_ROUTES | PAGE_ROUTES} | {"GET /health"}
    assert settings["GET /health"] == {"ThrottlingRateLimit": 10, "ThrottlingBurstLimit": 10}
    for (method, path) in PUBLIC_LINK_ROUTES | PAGE_ROUTES:
        limit = "PublicLinkRateLimit" if (method, path) in PUBLIC_LINK_ROUTES else "PublicPageRateLimit"
        route = settings[f"{method} {path}"]
        assert route["ThrottlingRateLimit"] == route["ThrottlingBurstLimit"] == {"Ref": limit}
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["FILESHARE_LINK_URL_TTL"] == {"Ref": "LinkUrlTtlSeconds"}


def test_every_log_group_has_a_retention(template):
    groups = resources(template, "AWS::Logs::LogGroup")
    assert len(groups) >= 3
    for name, group in groups.items():
        assert group["Properties"].get("RetentionInDays"), f"{name} keeps logs forever"


def test_alarms_cover_5xx_rate_latency_errors_and_throttles(template):
    alarms = resources(template, "AWS::CloudWatch::Alarm").values()
    metrics = {a["Properties"].get("MetricName") for a in alarms}
    assert {"Latency", "Errors", "Throttles"} <= metrics
    assert any(
        any(m.get("MetricStat", {}).get("Metric", {}).get("MetricName") == "5xx" for m in a["Properties"].get("Metrics", []))
        for a in alarms
    ), "no 5xx rate alarm"
    assert all(a["Properties"]["AlarmActions"] for a in alarms)


def test_abandoned_uploads_expire(template):
    """Pending records expire by TTL; every file record's removal (TTL's or a delete's) reaches the events
    function, which removes the bytes no record owns; share items are filtered out."""
    table = template["Resources"]["MetadataTable"]["Properties"]
    assert table["StreamSpecification"]["StreamViewType"] in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES")
    mapping = template["Resources"]["TableEventsMapping"]["Properties"]
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": ["MetadataTable", "StreamArn"]}
    assert mapping["FunctionName"] == {"Ref": "EventsFunction.Alias"}
    pattern = json.loads(mapping["FilterCriteria"]["Filters"][0]["Pattern"])
    assert pattern == {"eventName": ["REMOVE"], "dynamodb": {"OldImage": {"SK": {"S": ["META"]}}}}
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"]
    rules = template["Resources"]["FilesBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    assert any(r.get("AbortIncompleteMultipartUpload") for r in rules)


def test_interrupted_deletes_are_finished_by_the_events_function(template):
    """A tombstone (a delete in steps) reaches the events function on the stream's new image."""
    table = template["Resources"]["MetadataTable"]["Properties"]
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    filters = template["Resources"]["TableEventsMapping"]["Properties"]["FilterCriteria"]["Filters"]
    patterns = [json.loads(f["Pattern"]) for f in filters]
    assert {"eventName": ["MODIFY"], "dynamodb": {"NewImage": {"deleted_at": {"N": [{"exists": True}]}}}} in patterns
    for function in ("ApiFunction", "EventsFunction"):
        actions = set(by_sid(function_statements(template, function))["Metadata"]["Action"])
        assert "dynamodb:BatchWriteItem" in actions, function


def test_bucket_cors_admits_the_page_to_upload_and_nothing_more(template):
    (rule,) = template["Resources"]["FilesBucket"]["Properties"]["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedOrigins"] == [{"Fn::If": [
        "HasWebOrigin", {"Ref": "WebOrigin"}, {"Fn::Sub": "https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"},
    ]}], "exactly the page's origin: the API's own URL, or the custom domain given"
    assert rule["AllowedMethods"] == ["PUT"]
    assert sorted(rule["AllowedHeaders"]) == ["content-disposition", "content-type", "if-none-match"]
    assert rule["ExposedHeaders"] == ["ETag"]
    assert "CorsConfiguration" not in template["Resources"]["HttpApi"]["Properties"], "the page is the API's own origin"


def test_the_app_client_is_public_least_privilege_and_short_lived(template):
    client = template["Resources"]["UserPoolClient"]["Properties"]
    assert client["GenerateSecret"] is False
    assert sorted(client["ExplicitAuthFlows"]) == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"]
    assert "AllowedOAuthFlows" not in client and "CallbackURLs" not in client
    assert client["EnableTokenRevocation"] is True and client["PreventUserExistenceErrors"] == "ENABLED"
    units = client["TokenValidityUnits"]
    assert (client["AccessTokenValidity"], units["AccessToken"]) == ({"Ref": "AccessTokenMinutes"}, "minutes")
    assert (client["IdTokenValidity"], units["IdToken"]) == ({"Ref": "AccessTokenMinutes"}, "minutes")
    # A revoked session's access token lives until it expires: an hour at most (infra/README.md, "Token lifetime").
    lifetime = template["Parameters"]["AccessTokenMinutes"]
    assert lifetime["Default"] == 30 and max(lifetime["AllowedValues"]) <= 60
    assert (client["RefreshTokenValidity"], units["RefreshToken"]) == (30, "days")
    variables = template["Resources"]["ApiFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["FILESHARE_CLIENT_ID"] == {"Ref": "UserPoolClient"}, "the page is told its client at run time"


def test_upload_and_link_settings_reach_the_service(template):
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["FILESHARE_ALLOWED_CONTENT_TYPES"] == {"Ref": "AllowedContentTypes"}
    assert variables["FILESHARE_GRANTEE_LINK_TTL"] == {"Ref": "GranteeLinkTtlSeconds"}
    ttl = template["Parameters"]["GranteeLinkTtlSeconds"]
    assert ttl["Default"] == 300 and ttl["MinValue"] >= 1 and ttl["MaxValue"] <= 604800


def test_max_upload_size_reaches_the_service(template):
    parameter = template["Parameters"]["MaxUploadBytes"]
    assert parameter["Type"] == "Number" and parameter["MinValue"] >= 1
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["FILESHARE_MAX_UPLOAD_BYTES"] == {"Ref": "MaxUploadBytes"}


def test_quotas_reach_the_service_and_operators_touch_only_usage_items(template):
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["FILESHARE_QUOTA_BYTES"] == {"Ref": "QuotaBytes"}
    assert variables["FILESHARE_QUOTA_FILES"] == {"Ref": "QuotaFiles"}
    assert template["Parameters"]["QuotaBytes"]["Default"] == str(10 * 2**30)
    assert template["Parameters"]["QuotaFiles"]["Default"] == "10000"
    policy = policy_statements(template, "QuotaOperatorPolicy")
    usage = by_sid(policy)["UsageItems"]
    assert sorted(usage["Action"]) == ["dynamodb:GetItem", "dynamodb:UpdateItem"]
    assert usage["Resource"] == {"Fn::GetAtt": ["MetadataTable", "Arn"]}, "the table, not its indexes"
    assert usage["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["USER#*"]}}
    # People are found by name in the directory's items, no longer in the pool.
    lookups = by_sid(policy)["DirectoryLookups"]
    assert lookups["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["NAME#*", "EMAIL#*"]}}
    # The events function gives back the usage of TTL-removed uploads: a conditional transaction.
    events = function_statements(template, "EventsFunction")
    actions = {a for s in events for a in as_list(s["Action"])}
    assert {"dynamodb:PutItem", "dynamodb:ConditionCheckItem", "dynamodb:UpdateItem"} <= actions
    puts = [s for s in events if "dynamodb:PutItem" in as_list(s["Action"])]
    assert [s.get("Condition") for s in puts] == [
        {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["USER#*"]}},
        {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["USER#*", "NAME#*", "EMAIL#*"]}},
    ], "the events function's PutItem reaches only users' partitions (release markers) and the user directory"


def test_every_checkov_skip_gives_its_reason(template):
    skips = [
        (name, skip)
        for name, resource in template["Resources"].items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert skips, "checkov skips are expected to be declared in the template"
    for name, skip in skips:
        assert skip["id"].startswith("CKV_") and len(skip.get("comment", "").split()) >= 8, f"{name}: {skip}"


def test_functions_run_rust_on_graviton(template):
    globals_ = template["Globals"]["Function"]
    assert globals_["Runtime"] == "provided.al2023" and globals_["Architectures"] == [{"Ref": "Architecture"}]
    assert template["Parameters"]["Architecture"]["Default"] == "arm64"
    for function in resources(template, "AWS::Serverless::Function").values():
        assert function["Metadata"]["BuildMethod"] == "rust-cargolambda"


def test_only_the_directory_import_reads_the_pool(template):
    """The page signs in with this pool (its id reaches the API function); no function calls Cognito,
    and the operator's import lists this pool's users only."""
    api = template["Resources"]["ApiFunction"]["Properties"]
    assert api["Environment"]["Variables"]["FILESHARE_USER_POOL_ID"] == {"Ref": "UserPool"}
    for function, stmts in statements(template):
        assert not any(a.startswith("cognito-idp:") for s in stmts for a in as_list(s["Action"])), function
    cognito = [s for s in policy_statements(template, "DirectoryOperatorPolicy") if s["Action"][0].startswith("cognito-idp:")]
    assert cognito == [{
        "Sid": "PoolUsers",
        "Effect": "Allow",
        "Action": ["cognito-idp:ListUsers"],
        "Resource": {"Fn::GetAtt": ["UserPool", "Arn"]},
    }]
