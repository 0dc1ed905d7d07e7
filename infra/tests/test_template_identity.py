"""The user pool on AWS: how it emails (Cognito's own sender allows 50 emails a day per account), its
tier, and the user directory the events function keeps in the table from the pool's triggers."""

from cfn_template import TEMPLATE, actions, by_sid, function_statements, policy_statements, resources, rule_failures

TABLE = {"Fn::GetAtt": ["MetadataTable", "Arn"]}
POOL = {"Fn::GetAtt": ["UserPool", "Arn"]}
DIRECTORY_KEYS = {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["USER#*", "NAME#*", "EMAIL#*"]}}


def test_production_stacks_send_email_through_ses(template):
    parameters = template["Parameters"]
    kind = parameters.get("StackKind")
    assert kind, "no StackKind: nothing tells a test stack (Cognito's sender, 50 emails a day) from production"
    assert kind["AllowedValues"] == ["production", "test"] and kind["Default"] == "production"
    assert parameters["SesIdentityArn"]["Default"] == "" and parameters["SesIdentityArn"]["AllowedPattern"].startswith("|arn:")
    assert parameters["SesFromAddress"]["Default"] == ""
    assert template["Conditions"]["UseSes"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "SesIdentityArn"}, ""]}]}
    email = template["Resources"]["UserPool"]["Properties"].get("EmailConfiguration")
    assert email == {"Fn::If": [
        "UseSes",
        {"EmailSendingAccount": "DEVELOPER", "SourceArn": {"Ref": "SesIdentityArn"}, "From": {"Ref": "SesFromAddress"}},
        {"EmailSendingAccount": "COGNITO_DEFAULT"},
    ]}, f"EmailConfiguration is {email!r}: sign-up codes and password resets go through Cognito's 50-a-day sender"
    sender = template["Outputs"]["EmailSender"]["Value"]
    assert sender["Fn::If"][0] == "UseSes" and "50" in sender["Fn::If"][2]


def test_a_production_stack_without_ses_does_not_deploy(template):
    """The Rules assertion, evaluated as CloudFormation would before it changes anything."""
    values = {name: str(spec.get("Default")) for name, spec in template["Parameters"].items()}
    assert rule_failures(template, values | {"StackKind": "production"}), "a production stack without SES deploys"
    assert not rule_failures(template, values | {"StackKind": "test"})
    ses = {"SesIdentityArn": "arn:aws:ses:us-east-1:123456789012:identity/example.com", "SesFromAddress": "no-reply@example.com"}
    assert not rule_failures(template, values | ses)
    assert rule_failures(template, values | ses | {"SesFromAddress": ""}), "SES without a from-address deploys"


def test_the_pool_is_lite(template):
    assert template["Resources"]["UserPool"]["Properties"].get("UserPoolTier") == "LITE", \
        "UserPoolTier unset: a new pool is Essentials (about 2.7x Lite's price per active user) for features the template does not use"


def test_the_pool_triggers_keep_the_directory(template):
    """Confirmation and sign-in reach the events function's alias (the version CodeDeploy vouched
    for), which may be invoked by this pool only; an email changes only once the new one is verified."""
    pool = template["Resources"]["UserPool"]["Properties"]
    alias = {"Ref": "EventsFunction.Alias"}
    assert pool.get("LambdaConfig") == {"PostConfirmation": alias, "PostAuthentication": alias}, \
        f"LambdaConfig is {pool.get('LambdaConfig')!r}: nothing writes the directory items sharing by name reads"
    permission = template["Resources"]["CognitoTriggerPermission"]["Properties"]
    assert permission == {
        "Action": "lambda:InvokeFunction",
        "FunctionName": alias,
        "Principal": "cognito-idp.amazonaws.com",
        "SourceAccount": {"Ref": "AWS::AccountId"},
        "SourceArn": POOL,
    }
    assert pool["UserAttributeUpdateSettings"] == {"AttributesRequireVerificationBeforeUpdate": ["email"]}
    # The triggers log and count a failed write instead of failing the sign-in: the count alarms.
    assert any(
        a["Properties"].get("Namespace") == "fileshare" and a["Properties"].get("MetricName") == "DirectoryRecordFailures"
        for a in resources(template, "AWS::CloudWatch::Alarm").values()
    ), "nothing hears of a failed directory write"


def test_users_write_their_email_and_nothing_else(template):
    """Without ReadAttributes and WriteAttributes a client reads and writes every standard attribute.
    Users write only their address (at sign-up, and to change it: a change takes effect once the new
    address is verified), never email_verified; they read it and whether it is verified."""
    client = template["Resources"]["UserPoolClient"]["Properties"]
    assert client.get("WriteAttributes") == ["email"], f"WriteAttributes is {client.get('WriteAttributes')!r}: users may write more than their address"
    assert client.get("ReadAttributes") == ["email", "email_verified"], f"ReadAttributes is {client.get('ReadAttributes')!r}"
    assert template["Resources"]["UserPool"]["Properties"]["UserAttributeUpdateSettings"] == {"AttributesRequireVerificationBeforeUpdate": ["email"]}


def test_directory_access_is_by_item_not_by_pool(template):
    """The request paths read the directory from the table; the pool is read only by the operator's
    one-off import. Which actions exactly is the IAM proof's to say (infra/tests/iam): here, where."""
    api = function_statements(template, "ApiFunction")
    assert not any(a.startswith("cognito-idp:") for s in api for a in actions(s)), \
        "the API function still calls Cognito to share by name (AdminGetUser/ListUsers: 120 and 30 requests a second per account)"
    events = by_sid(function_statements(template, "EventsFunction"))["Directory"]
    assert actions(events) == {"dynamodb:PutItem"}, "PutItem only, in the directory's partitions"
    assert events["Resource"] == TABLE and events["Condition"] == DIRECTORY_KEYS
    quota = policy_statements(template, "QuotaOperatorPolicy")
    assert not any(a.startswith("cognito-idp:") for s in quota for a in actions(s))
    lookups = by_sid(quota)["DirectoryLookups"]
    # What `quota` sends to resolve a name (one BatchGetItem of NAME# and EMAIL#), per the IAM proof's calls.
    assert actions(lookups) == {"dynamodb:BatchGetItem"} and lookups["Resource"] == TABLE
    assert lookups["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["NAME#*", "EMAIL#*"]}}
    directory = by_sid(policy_statements(template, "DirectoryOperatorPolicy"))
    assert actions(directory["PoolUsers"]) == {"cognito-idp:ListUsers"} and directory["PoolUsers"]["Resource"] == POOL
    assert all(a.startswith("dynamodb:") for a in actions(directory["DirectoryItems"]))
    assert directory["DirectoryItems"]["Resource"] == TABLE and directory["DirectoryItems"]["Condition"] == DIRECTORY_KEYS
    assert template["Outputs"]["DirectoryOperatorPolicyArn"]["Value"] == {"Ref": "DirectoryOperatorPolicy"}


def comment_above(anchor):
    """The comment lines right above the template's first line that contains `anchor`, as one text."""
    lines = TEMPLATE.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if anchor in line)
    comment = []
    for line in reversed(lines[:at]):
        if not line.strip().startswith("#"):
            break
        comment.insert(0, line.strip().lstrip("#").strip())
    return " ".join(comment)


def test_grant_comments_say_what_the_grants_allow():
    """An UpdateItem creates the item it names when there is none, and IAM cannot tell an update from a
    creation: the events function's table-wide UpdateItem (statement Metadata) can create items in any
    partition, so no comment may promise its new items stay in some. And the directory operator's
    USER# partitions hold each user's usage item and release markers too."""
    for sid in ("ReleaseMarkers", "Directory"):
        comment = comment_above(f"- Sid: {sid}")
        assert "only new items" not in comment and "new items only" not in comment, f"{sid}: {comment}"
        assert "UpdateItem" in comment, f"the comment above {sid} does not say Metadata's UpdateItem can create items anywhere: {comment}"
    operator = comment_above("DirectoryOperatorPolicy:")
    assert "usage" in operator, f"DirectoryOperatorPolicy's comment does not say USER#* reaches usage items: {operator}"
