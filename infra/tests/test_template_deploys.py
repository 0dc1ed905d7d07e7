"""Safe deploys: each function behind an alias that CodeDeploy shifts to a new version and rolls back
on that version's errors; every event source invokes the alias; the stream mapping loses nothing
while it is recreated and keeps whole failed batches for replay."""

from cfn_template import actions, by_sid, function_statements, policy_statements, resources

FUNCTIONS = ("ApiFunction", "EventsFunction")


def test_functions_shift_traffic_and_roll_back_on_the_new_versions_errors(template):
    shifting = template["Parameters"].get("TrafficShifting")
    assert shifting, "no TrafficShifting parameter: a deploy sends all traffic to the new code at once, with no way back"
    assert shifting["Default"].startswith("Canary") and "AllAtOnce" in shifting["AllowedValues"]
    for function in FUNCTIONS:
        props = template["Resources"][function]["Properties"]
        assert props.get("AutoPublishAlias") == "live", f"{function}: no alias, so nothing to shift traffic on"
        preference = props["DeploymentPreference"]
        assert preference["Type"] == {"Ref": "TrafficShifting"}
        assert preference["Alarms"], f"{function}: nothing rolls a bad version back"
        for alarm in preference["Alarms"]:
            alarm = template["Resources"][alarm["Ref"]]["Properties"]
            # Lambda publishes per-version metrics under (FunctionName, Resource=function:alias, ExecutedVersion).
            assert alarm["Namespace"] == "AWS/Lambda" and alarm["MetricName"] == "Errors"
            assert sorted(alarm["Dimensions"], key=lambda d: d["Name"]) == [
                {"Name": "ExecutedVersion", "Value": {"Fn::GetAtt": [function, "Version.Version"]}},
                {"Name": "FunctionName", "Value": {"Ref": function}},
                {"Name": "Resource", "Value": {"Fn::Sub": f"${{{function}}}:live"}},
            ], f"{function}'s rollback alarm does not watch the new version alone"


def test_every_event_source_invokes_an_alias(transformed):
    """After SAM's transform: API routes, the S3 notification, the stream mapping, the pool's triggers
    and every invoke permission name an alias, never the bare function ($LATEST)."""
    aliases = set(resources(transformed, "AWS::Lambda::Alias"))
    targets = {}
    for name, permission in resources(transformed, "AWS::Lambda::Permission").items():
        targets[f"{name} (permission)"] = permission["Properties"]["FunctionName"]
    for name, mapping in resources(transformed, "AWS::Lambda::EventSourceMapping").items():
        targets[f"{name} (mapping)"] = mapping["Properties"]["FunctionName"]
    for trigger, function in transformed["Resources"]["UserPool"]["Properties"].get("LambdaConfig", {}).items():
        targets[f"UserPool {trigger}"] = function
    for notification in transformed["Resources"]["FilesBucket"]["Properties"]["NotificationConfiguration"]["LambdaConfigurations"]:
        targets[f"FilesBucket {notification['Event']}"] = notification["Function"]
    for path, methods in transformed["Resources"]["HttpApi"]["Properties"]["Body"]["paths"].items():
        for method, operation in methods.items():
            uri = operation["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
            method = "ANY" if method == "x-amazon-apigateway-any-method" else method.upper()
            targets[f"{method} {path}"] = {"Ref": uri.split("${")[-1].split("}")[0]}
    bare = sorted(where for where, target in targets.items() if target.get("Ref") not in aliases)
    assert not bare, f"invoking the function, not its alias: {bare}"
    assert aliases == {"ApiFunctionAliaslive", "EventsFunctionAliaslive"}, f"aliases: {sorted(aliases)}"
    assert len(targets) > 20, "the event sources were not all found"


def test_the_stream_mapping_loses_nothing_and_keeps_failed_batches(template):
    mapping = template["Resources"]["TableEventsMapping"]["Properties"]
    assert mapping["StartingPosition"] == "TRIM_HORIZON", \
        "LATEST: records written while the mapping is (re)created are never read (abandoned bytes stay, usage is never given back)"
    # SQS receives only a failed batch's shard and sequence numbers, useless once the stream's
    # 24 hours are past; an S3 destination receives the whole invocation record.
    destination = mapping["DestinationConfig"]["OnFailure"]["Destination"]
    assert destination == {"Fn::GetAtt": ["FailedEventsBucket", "Arn"]}, f"failed batches go to {destination}"
    bucket = template["Resources"]["FailedEventsBucket"]["Properties"]
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True} and len(bucket["PublicAccessBlockConfiguration"]) == 4
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert bucket["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    (rule,) = bucket["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled" and 1 <= rule["ExpirationInDays"] <= 90
    tls = by_sid(policy_statements(template, "FailedEventsBucketPolicy"))["TlsOnly"]
    assert tls["Effect"] == "Deny" and tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    # Exactly what Lambda needs to write the record (s3:PutObject, s3:ListBucket), on this bucket.
    grants = by_sid(function_statements(template, "EventsFunction"))
    assert grants["FailedBatches"] == {
        "Sid": "FailedBatches", "Effect": "Allow", "Action": ["s3:PutObject"], "Resource": {"Fn::Sub": "${FailedEventsBucket.Arn}/*"},
    }
    assert grants["FailedBatchesBucket"] == {
        "Sid": "FailedBatchesBucket", "Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": {"Fn::GetAtt": ["FailedEventsBucket", "Arn"]},
    }
    # S3's asynchronous invocations carry the whole event to the dead-letter queue: it stays.
    events = template["Resources"]["EventsFunction"]["Properties"]
    assert events["DeadLetterQueue"] == {"Type": "SQS", "TargetArn": {"Fn::GetAtt": ["EventsDeadLetterQueue", "Arn"]}}
    assert actions(by_sid(function_statements(template, "EventsFunction"))["FailedEvents"]) == {"sqs:SendMessage"}
