"""Safe deploys: each function behind an alias that CodeDeploy shifts to a new version and rolls back
on that version's errors; every event source invokes the alias; the stream mapping loses nothing
while it is recreated and keeps whole failed batches for replay."""

from cfn_template import actions, by_sid, function_statements, policy_statements, resources

FUNCTIONS = ("ApiFunction", "EventsFunction")


def canary_alarms(template, function):
    return [alarm["Ref"] for alarm in template["Resources"][function]["Properties"]["DeploymentPreference"]["Alarms"]]


def metrics(alarm):
    """(namespace, metric name, dimensions as a dict) of each metric an alarm reads, alone or in math."""
    props = alarm["Properties"]
    if "MetricName" in props:
        yield props["Namespace"], props["MetricName"], {d["Name"]: d["Value"] for d in props.get("Dimensions", [])}
    for query in props.get("Metrics", []):
        if "MetricStat" in query:
            metric = query["MetricStat"]["Metric"]
            yield metric["Namespace"], metric["MetricName"], {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}


def new_version(function):
    return {"Fn::GetAtt": [function, "Version.Version"]}


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
        # Lambda publishes per-version metrics under (FunctionName, Resource=function:alias, ExecutedVersion).
        errors = {"ExecutedVersion": new_version(function), "FunctionName": {"Ref": function}, "Resource": {"Fn::Sub": f"${{{function}}}:live"}}
        assert any(
            ("AWS/Lambda", "Errors", errors) in metrics(template["Resources"][alarm]) for alarm in canary_alarms(template, function)
        ), f"{function}'s rollback alarms do not watch the new version's own errors"
        for alarm in canary_alarms(template, function):
            for _, _, dimensions in metrics(template["Resources"][alarm]):
                version = dimensions.get("ExecutedVersion", dimensions.get("FunctionVersion"))
                assert version == new_version(function), f"{alarm} does not watch {function}'s new version alone"


# What a version does wrong without a Lambda error: the API answers a panic or a failure with a 500;
# the events function logs and counts a directory write it could not make, and never fails a sign-in.
# Both count it per version (EMF, namespace fileshare, dimension set [FunctionVersion]).
ANSWERED_OR_SWALLOWED = {"ApiFunction": "Errors5xx", "EventsFunction": "DirectoryRecordFailures"}


def test_the_canary_sees_failures_no_lambda_error_shows(template):
    for function, metric in ANSWERED_OR_SWALLOWED.items():
        watching = [
            alarm for alarm in canary_alarms(template, function)
            if ("fileshare", metric, {"FunctionVersion": new_version(function)}) in metrics(template["Resources"][alarm])
        ]
        assert watching, f"{function}: a version whose {metric} climbs is never rolled back (Lambda's Errors count none of them)"
    # The API's: a share of the new version's requests (its invocations), so that neither a few 500s
    # at peak nor one 500 on a quiet stack rolls a good version back.
    (api,) = [a for a in canary_alarms(template, "ApiFunction") if any(m[1] == "Errors5xx" for m in metrics(template["Resources"][a]))]
    assert ("AWS/Lambda", "Invocations", {
        "ExecutedVersion": new_version("ApiFunction"), "FunctionName": {"Ref": "ApiFunction"}, "Resource": {"Fn::Sub": "${ApiFunction}:live"},
    }) in metrics(template["Resources"][api])


def test_canary_alarms_watch_the_version_the_alias_shifts_to(transformed):
    """After SAM's transform `!GetAtt Function.Version.Version` is the version SAM publishes, the one
    the alias (and so CodeDeploy) moves to; the deployment group watches exactly these alarms."""
    for function in FUNCTIONS:
        alias = transformed["Resources"][f"{function}Aliaslive"]
        target = alias["Properties"]["FunctionVersion"]
        assert target["Fn::GetAtt"][1] == "Version" and transformed["Resources"][target["Fn::GetAtt"][0]]["Type"] == "AWS::Lambda::Version"
        group = transformed["Resources"][alias["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]["DeploymentGroupName"]["Ref"]]
        watched = [a["Name"]["Ref"] for a in group["Properties"]["AlarmConfiguration"]["Alarms"]]
        assert len(watched) >= 2, f"{function}: {watched}"
        for alarm in watched:
            versions = [d.get("ExecutedVersion", d.get("FunctionVersion")) for _, _, d in metrics(transformed["Resources"][alarm])]
            assert versions and all(v == target for v in versions), f"{alarm} watches {versions}, the alias moves to {target}"


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
    # The function names the records it failed; Lambda retries from the first of them, and still
    # halves a batch that fails outright (a crash, a timeout).
    assert mapping.get("FunctionResponseTypes") == ["ReportBatchItemFailures"], "a failed record makes the whole batch run again"
    assert mapping["BisectBatchOnFunctionError"] is True
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


def test_a_batch_parked_for_replay_alarms(template):
    """Records the function reports as failed are no Lambda error (EventsErrorsAlarm never sees them):
    whatever lands in the failed-batches bucket alarms by itself, from S3's daily object count."""
    parked = [
        a["Properties"] for a in resources(template, "AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("Namespace") == "AWS/S3" and a["Properties"].get("MetricName") == "NumberOfObjects"
    ]
    assert [{d["Name"]: d["Value"] for d in a["Dimensions"]} for a in parked] == [
        {"BucketName": {"Ref": "FailedEventsBucket"}, "StorageType": "AllStorageTypes"}
    ], "a batch parked for replay reaches nobody"
    (alarm,) = parked
    assert alarm["Period"] == 86400 and alarm["Threshold"] == 0 and alarm["ComparisonOperator"] == "GreaterThanThreshold"
