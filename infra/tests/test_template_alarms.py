"""Alarms that arrive, and alarms on what the emulators never show: stream lag, throttled events, a
new version that fails while traffic shifts to it."""

from cfn_template import actions, by_sid, resources

ALARM_SOURCE = {"ArnLike": {"aws:SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*"}}}
THIS_ACCOUNT = {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}


def test_alarm_email_is_required(template):
    email = template["Parameters"]["AlarmEmail"]
    assert "Default" not in email, f"AlarmEmail defaults to {email.get('Default')!r}: a stack deployed with the default alarms nobody"
    assert email["AllowedPattern"] and "@" in email["AllowedPattern"]


def test_the_alarm_key_rotates_and_admits_only_this_accounts_alarms(template):
    """CloudWatch needs kms:Decrypt and kms:GenerateDataKey* on the topic's key; the key policy gives
    them to this account's alarms only (aws:SourceAccount, aws:SourceArn: no confused deputy), and
    delegates everything else to IAM through the account root, as a default key policy does."""
    topic = template["Resources"]["AlarmTopic"]["Properties"]
    assert topic.get("KmsMasterKeyId") == {"Ref": "AlarmTopicKey"}, f"AlarmTopic is encrypted with {topic.get('KmsMasterKeyId')!r}"
    key = template["Resources"]["AlarmTopicKey"]["Properties"]
    assert key["EnableKeyRotation"] is True
    statements = by_sid(key["KeyPolicy"]["Statement"])
    assert statements["AccountAdministersThroughIam"]["Principal"] == {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}
    cloudwatch = statements["CloudWatchAlarms"]
    assert cloudwatch["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert actions(cloudwatch) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    assert cloudwatch["Condition"] == THIS_ACCOUNT | ALARM_SOURCE
    publish = by_sid(template["Resources"]["AlarmTopicPolicy"]["Properties"]["PolicyDocument"]["Statement"])["CloudWatchAlarms"]
    assert publish["Principal"] == {"Service": "cloudwatch.amazonaws.com"} and actions(publish) == {"sns:Publish"}
    assert publish["Resource"] == {"Ref": "AlarmTopic"} and publish["Condition"] == THIS_ACCOUNT | ALARM_SOURCE
    assert topic["Subscription"] == [{"Protocol": "email", "Endpoint": {"Ref": "AlarmEmail"}}]


def alarm_on(template, namespace, metric, function):
    return [
        name for name, alarm in resources(template, "AWS::CloudWatch::Alarm").items()
        if alarm["Properties"].get("Namespace") == namespace and alarm["Properties"].get("MetricName") == metric
        and {"Name": "FunctionName", "Value": {"Ref": function}} in alarm["Properties"].get("Dimensions", [])
    ]


def test_stream_lag_and_throttled_events_alarm(template):
    """Records older than the stream's 24 hours are gone: a lagging mapping alarms long before."""
    lag = alarm_on(template, "AWS/Lambda", "IteratorAge", "EventsFunction")
    assert lag, "no alarm on the events function's IteratorAge: a stuck stream loses records after 24 hours, silently"
    alarm = template["Resources"][lag[0]]["Properties"]
    assert alarm["Statistic"] == "Maximum" and alarm["Threshold"] <= 3_600_000, "more than an hour of lag before anyone hears"
    assert alarm_on(template, "AWS/Lambda", "Throttles", "EventsFunction"), \
        "no alarm on the events function's throttles (it runs the Cognito triggers: a throttle fails a sign-in)"
