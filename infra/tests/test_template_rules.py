"""Rules no linter has: a template that cfn-lint, checkov and `sam validate` accept can still deploy
alarms that reach nobody, lose its data with the stack, leave a route unthrottled or a deploy
environment that cannot deploy. Each rule reads the whole template, so a resource added later is held
to it too."""

import re
import tomllib

from cfn_template import RUNBOOK, SAMCONFIG, actions, as_list, overrides, ref, resources, rule_failures

CLOUDWATCH = "cloudwatch.amazonaws.com"


def services(stmt):
    principal = stmt.get("Principal", {})
    return set(as_list(principal.get("Service", []))) if isinstance(principal, dict) else set()


def subscriptions(template, topic):
    """A topic's subscriptions that exist whatever the parameters: inline ones, and Subscription
    resources without a Condition."""
    inline = template["Resources"][topic]["Properties"].get("Subscription")
    found = list(inline) if isinstance(inline, list) else []
    for subscription in resources(template, "AWS::SNS::Subscription").values():
        if ref(subscription["Properties"]["TopicArn"]) == topic and "Condition" not in subscription:
            found.append(subscription["Properties"])
    return found


def test_every_alarm_reaches_a_deliverable_topic(template):
    """CloudWatch publishes to an encrypted topic only with a key whose policy admits it (an
    AWS-managed key's cannot), and only where the topic's policy lets it; and someone must be
    subscribed, whatever the parameters."""
    topics = resources(template, "AWS::SNS::Topic")
    keys = resources(template, "AWS::KMS::Key")
    topic_policies = resources(template, "AWS::SNS::TopicPolicy").values()
    problems = []
    for name, alarm in resources(template, "AWS::CloudWatch::Alarm").items():
        props = alarm["Properties"]
        targets = [a for k in ("AlarmActions", "OKActions", "InsufficientDataActions") for a in props.get(k, [])]
        if not targets:
            problems.append(f"{name} notifies nobody")
        for target in targets:
            topic = ref(target)
            if topic not in topics:
                problems.append(f"{name}: {target} is not a topic of this stack")
                continue
            key = ref(topics[topic]["Properties"].get("KmsMasterKeyId"))
            if key not in keys:
                problems.append(
                    f"{topic} is encrypted with {topics[topic]['Properties'].get('KmsMasterKeyId')!r}, not a customer-managed "
                    "key of this stack: CloudWatch cannot use an AWS-managed key, so no alarm is ever delivered"
                )
            elif not any(
                s["Effect"] == "Allow" and CLOUDWATCH in services(s) and {"kms:Decrypt", "kms:GenerateDataKey*"} <= actions(s)
                for s in keys[key]["Properties"]["KeyPolicy"]["Statement"]
            ):
                problems.append(f"{key}'s key policy does not let CloudWatch use it")
            if not any(
                {"Ref": topic} in p["Properties"]["Topics"]
                and s["Effect"] == "Allow" and CLOUDWATCH in services(s) and "sns:Publish" in actions(s)
                for p in topic_policies
                for s in p["Properties"]["PolicyDocument"]["Statement"]
            ):
                problems.append(f"no topic policy lets CloudWatch publish to {topic}")
            subs = subscriptions(template, topic)
            if not subs:
                problems.append(f"{topic} has no subscription that exists whatever the parameters")
            for sub in subs:
                parameter = template["Parameters"].get(ref(sub["Endpoint"]) or "")
                if parameter is not None and ("Default" in parameter or not parameter.get("AllowedPattern")):
                    problems.append(f"{topic}'s {sub['Protocol']} endpoint {ref(sub['Endpoint'])} may be left empty")
    assert not problems, "\n".join(sorted(set(problems)))


# What users' data lives in: the pool (every item is keyed by the Cognito sub, so a new pool orphans
# all of it), the bucket, the table, and the failed stream batches kept for replay.
STATEFUL = {"UserPool", "FilesBucket", "MetadataTable", "FailedEventsBucket"}
STATEFUL_KINDS = {"AWS::Cognito::UserPool", "AWS::S3::Bucket", "AWS::DynamoDB::Table"}


def test_stateful_resources_outlive_the_stack(template):
    problems = []
    for name in sorted(STATEFUL):
        resource = template["Resources"].get(name)
        if resource is None:
            problems.append(f"{name} is missing")
            continue
        policies = (resource.get("DeletionPolicy"), resource.get("UpdateReplacePolicy"))
        if policies != ("Retain", "Retain"):
            problems.append(f"{name}: DeletionPolicy, UpdateReplacePolicy = {policies}: deleting the stack or replacing it deletes it")
    unclassified = {n for n, r in template["Resources"].items() if r["Type"] in STATEFUL_KINDS} - STATEFUL
    if unclassified:
        problems.append(f"{sorted(unclassified)}: decide whether they are kept with the data (STATEFUL)")
    pool = template["Resources"]["UserPool"]["Properties"]
    if pool.get("DeletionProtection") != "ACTIVE":
        problems.append(f"UserPool: DeletionProtection is {pool.get('DeletionProtection')!r}, not ACTIVE (FSBP Cognito.6)")
    if template["Resources"]["MetadataTable"]["Properties"].get("DeletionProtectionEnabled") is not True:
        problems.append("MetadataTable: no deletion protection")
    assert not problems, "\n".join(problems)


def test_every_alarm_has_a_runbook_entry(template):
    assert RUNBOOK.exists(), "infra/RUNBOOK.md is missing: an alarm that fires needs a page that says what to do"
    headings = [line for line in RUNBOOK.read_text().splitlines() if line.startswith("#")]
    missing = [
        name for name in resources(template, "AWS::CloudWatch::Alarm")
        if not any(re.search(rf"\b{name}\b", heading) for heading in headings)
    ]
    assert not missing, f"alarms without a section in infra/RUNBOOK.md: {missing}"


def http_routes(template):
    """(route key, public, where) of every HttpApi event of every function."""
    for function, resource in resources(template, "AWS::Serverless::Function").items():
        for event, spec in resource["Properties"].get("Events", {}).items():
            if spec["Type"] == "HttpApi":
                props = spec["Properties"]
                public = props.get("Auth", {}).get("Authorizer") == "NONE"
                yield f"{props.get('Method', 'ANY').upper()} {props.get('Path', '$default')}", public, f"{function}.{event}"


def test_every_route_is_throttled(template):
    """API Gateway throttles a route by its own RouteSettings, or else by DefaultRouteSettings: those
    must be parameters sized for the deployment, and a route that needs no account must not share
    them (anyone on the internet could spend the signed-in users' allowance)."""
    api = template["Resources"]["HttpApi"]["Properties"]
    own, default = api.get("RouteSettings", {}), api.get("DefaultRouteSettings", {})
    problems = []
    routes = list(http_routes(template))
    for key, public, where in routes:
        if key in own:
            if not (own[key].get("ThrottlingRateLimit") and own[key].get("ThrottlingBurstLimit")):
                problems.append(f"{key} ({where}): RouteSettings without both limits")
        elif public:
            problems.append(f"{key} ({where}) needs no account but has no RouteSettings of its own: it shares the default limits")
        elif not all(ref(default.get(limit)) in template["Parameters"] for limit in ("ThrottlingRateLimit", "ThrottlingBurstLimit")):
            problems.append(f"{key} ({where}) is throttled by DefaultRouteSettings {default}, which are not parameters")
    # A RouteSettings key that names no route fails the deployment (API Gateway finds no such route).
    problems += [f"RouteSettings names no route: {key}" for key in set(own) - {key for key, _, _ in routes}]
    assert not problems, "\n".join(problems)


# Properties of AWS::Cognito::UserPool that CloudFormation changes in place ("Update requires: No
# interruption"; the resource schema has no create-only property). The sign-in attributes and the
# schema cannot be changed once the pool exists, so they stay exactly as the pool was created.
POOL_IN_PLACE = {
    "AccountRecoverySetting", "AdminCreateUserConfig", "AutoVerifiedAttributes", "DeletionProtection",
    "DeviceConfiguration", "EmailConfiguration", "EnabledMfas", "LambdaConfig", "MfaConfiguration", "Policies",
    "UserAttributeUpdateSettings", "UserPoolAddOns", "UserPoolTags", "UserPoolTier", "VerificationMessageTemplate",
}
POOL_AS_CREATED = {"UserPoolName": {"Fn::Sub": "fileshare-${StageName}"}, "UsernameAttributes": ["email"]}


def test_no_change_to_the_pool_needs_a_new_pool(template):
    pool = template["Resources"]["UserPool"]["Properties"]
    assert set(pool) <= POOL_IN_PLACE | set(POOL_AS_CREATED), f"{sorted(set(pool) - POOL_IN_PLACE - set(POOL_AS_CREATED))}"
    for name, value in POOL_AS_CREATED.items():
        assert pool.get(name) == value, f"UserPool.{name} cannot change on a live pool"


# Properties of AWS::Cognito::UserPoolClient that CloudFormation changes in place: only GenerateSecret
# and UserPoolId are create-only. A new client is a new client id, which every configured CLI and
# every signed-in session (its tokens name the client) would lose.
CLIENT_IN_PLACE = {
    "AccessTokenValidity", "AllowedOAuthFlows", "AllowedOAuthFlowsUserPoolClient", "AllowedOAuthScopes",
    "AnalyticsConfiguration", "AuthSessionValidity", "CallbackURLs", "ClientName", "DefaultRedirectURI",
    "EnablePropagateAdditionalUserContextData", "EnableTokenRevocation", "ExplicitAuthFlows", "IdTokenValidity",
    "LogoutURLs", "PreventUserExistenceErrors", "ReadAttributes", "RefreshTokenRotation", "RefreshTokenValidity",
    "SupportedIdentityProviders", "TokenValidityUnits", "WriteAttributes",
}
CLIENT_AS_CREATED = {"GenerateSecret": False, "UserPoolId": {"Ref": "UserPool"}}


def test_no_change_to_the_app_client_needs_a_new_client(template):
    client = template["Resources"]["UserPoolClient"]["Properties"]
    assert set(client) <= CLIENT_IN_PLACE | set(CLIENT_AS_CREATED), f"{sorted(set(client) - CLIENT_IN_PLACE - set(CLIENT_AS_CREATED))}"
    for name, value in CLIENT_AS_CREATED.items():
        assert client.get(name) == value, f"UserPoolClient.{name} cannot change on a live client"


def parameter_problems(template, values):
    problems = []
    for name, value in values.items():
        spec = template["Parameters"][name]
        if "AllowedValues" in spec and value not in [str(v) for v in spec["AllowedValues"]]:
            problems.append(f"{name}={value!r} is not one of {spec['AllowedValues']}")
        if "AllowedPattern" in spec and not re.fullmatch(spec["AllowedPattern"], value):
            problems.append(f"{name}={value!r} does not match {spec['AllowedPattern']}")
        if spec["Type"] == "Number" and not spec.get("MinValue", float("-inf")) <= float(value) <= spec.get("MaxValue", float("inf")):
            problems.append(f"{name}={value} is out of range")
    return problems


def test_every_deploy_environment_can_deploy(template):
    """`sam deploy --config-env test|prod` gives every parameter without a default, each valid, and
    satisfies the template's Rules (CloudFormation would refuse the change set otherwise)."""
    assert SAMCONFIG.exists(), "infra/samconfig.toml is missing"
    config = tomllib.loads(SAMCONFIG.read_text())
    assert {"test", "prod"} <= set(config), f"environments: {sorted(config)}"
    required = {name for name, spec in template["Parameters"].items() if "Default" not in spec}
    for env in ("test", "prod"):
        deploy = config[env]["deploy"]["parameters"]
        given = overrides(deploy["parameter_overrides"])
        assert not set(given) - set(template["Parameters"]), f"{env}: unknown parameters {set(given) - set(template['Parameters'])}"
        assert required <= set(given), f"{env}: no value for {sorted(required - set(given))}"
        values = {name: str(spec.get("Default")) for name, spec in template["Parameters"].items()} | given
        assert not parameter_problems(template, given), f"{env}: {parameter_problems(template, given)}"
        assert not rule_failures(template, values), f"{env}: {rule_failures(template, values)}"
        assert "CAPABILITY_IAM" in as_list(deploy.get("capabilities", [])), f"{env}: the stack creates IAM roles"
    assert overrides(config["test"]["deploy"]["parameters"]["parameter_overrides"]).get("StackKind") == "test"
    assert overrides(config["prod"]["deploy"]["parameters"]["parameter_overrides"]).get("StackKind", "production") == "production"
