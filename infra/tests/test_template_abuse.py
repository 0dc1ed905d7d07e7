"""Cognito's public API, which anyone holding the public app client's id may call: sign-ups, new codes
and password resets make SES send email to any address (bounces count against the SES account, which
AWS reviews at 5 % and may pause at 10 %, stopping every user's codes and resets), and sign-in floods
spend the account's UserAuthentication quota that every refresh shares. A web ACL on the pool
rations each address, and SES's reputation alarms before AWS acts."""

from cfn_template import ref, resources

POOL = {"Fn::GetAtt": ["UserPool", "Arn"]}
# The operation of a public API request, named by Cognito in a header it gives AWS WAF.
OPERATION = {"SingleHeader": {"Name": "x-amzn-cognito-operation-name"}}
# Every public operation that makes Cognito send an email: a sign-up's code, a new one, a password
# reset, a changed address's code, and that code asked for again.
EMAILING = {"SignUp", "ResendConfirmationCode", "ForgotPassword", "UpdateUserAttributes", "GetUserAttributeVerificationCode"}
WAF_MINIMUM_LIMIT = 10  # requests per evaluation window (AWS::WAFv2::WebACL RateLimit)


def operations(statement):
    """The operations a scope-down statement matches, by the operation header (None: it matches
    something else)."""
    if "OrStatement" in statement:
        found = [operations(s) for s in statement["OrStatement"]["Statements"]]
        return None if None in found else set().union(*found)
    match = statement.get("ByteMatchStatement", {})
    if match.get("FieldToMatch") == OPERATION and match.get("PositionalConstraint") == "EXACTLY":
        return {match["SearchString"]}
    return None


def pool_acl(template):
    associations = [
        a["Properties"] for a in resources(template, "AWS::WAFv2::WebACLAssociation").values() if a["Properties"]["ResourceArn"] == POOL
    ]
    assert len(associations) == 1, "no web ACL is associated with the user pool: its public API is unrationed"
    (association,) = associations
    acl = association["WebACLArn"]["Fn::GetAtt"]
    assert acl[1] == "Arn"
    return template["Resources"][acl[0]]["Properties"]


def rate_rules(template):
    acl = pool_acl(template)
    return {rule["Name"]: rule for rule in acl["Rules"] if "RateBasedStatement" in rule["Statement"]}


def test_the_pools_public_api_is_rationed_per_address(template):
    acl = pool_acl(template)
    assert acl["Scope"] == "REGIONAL" and acl["DefaultAction"] == {"Allow": {}}
    assert acl["VisibilityConfig"]["CloudWatchMetricsEnabled"] is True
    rules = rate_rules(template)
    assert rules, "the pool's web ACL has no rate-based rule"
    emailing, everything = [], []
    for name, rule in rules.items():
        statement = rule["Statement"]["RateBasedStatement"]
        assert rule["Action"] == {"Block": {}}, f"{name} does not block"
        assert rule["VisibilityConfig"]["CloudWatchMetricsEnabled"] is True and rule["VisibilityConfig"]["SampledRequestsEnabled"] is True
        assert statement["AggregateKeyType"] == "IP", f"{name} is not per client address"
        limit = template["Parameters"].get(ref(statement["Limit"]) or "")
        assert limit is not None, f"{name}'s limit is not a parameter"
        assert limit["Type"] == "Number" and limit["MinValue"] >= WAF_MINIMUM_LIMIT and limit["Default"] >= WAF_MINIMUM_LIMIT
        assert len(limit["Description"].split()) >= 15, f"{ref(statement['Limit'])} does not say how it is sized"
        scope = statement.get("ScopeDownStatement")
        if scope is None:
            everything.append(limit["Default"])
        elif operations(scope) == EMAILING:
            emailing.append(limit["Default"])
    assert emailing, f"no rule rations the operations that send email ({sorted(EMAILING)}) per address"
    assert everything, "no rule rations every operation (InitiateAuth, RespondToAuthChallenge, …) per address"
    assert max(emailing) < min(everything), "an address may send more emails than it may sign in"


def test_ses_reputation_alarms_below_the_review_levels(template):
    """SES reviews an account at a 5 % bounce rate or a 0.1 % complaint rate (values 0.05 and 0.001
    in the AWS/SES Reputation metrics) and may pause it at 10 % and 0.5 %: alarm before either."""
    review = {"Reputation.BounceRate": 0.05, "Reputation.ComplaintRate": 0.001}
    found = {}
    for name, alarm in resources(template, "AWS::CloudWatch::Alarm").items():
        props = alarm["Properties"]
        if props.get("Namespace") == "AWS/SES" and props.get("MetricName") in review:
            assert alarm.get("Condition") == "UseSes", f"{name} exists where Cognito's own sender sends (no SES metrics)"
            assert props["ComparisonOperator"].startswith("GreaterThan") and "Dimensions" not in props
            assert 0 < props["Threshold"] < review[props["MetricName"]], f"{name} alarms at or past SES's review level"
            found[props["MetricName"]] = name
    assert set(found) == set(review), f"no alarm on {sorted(set(review) - set(found))}"


def test_an_address_blocked_from_signing_in_alarms(template):
    """The page's refreshes reach Cognito from the API function's Lambda addresses, shared by every
    session: a block on the per-address sign-in rule is either an attack or those refreshes failing."""
    acl = pool_acl(template)
    (everything,) = [r for r in rate_rules(template).values() if "ScopeDownStatement" not in r["Statement"]["RateBasedStatement"]]
    watched = [
        alarm["Properties"] for alarm in resources(template, "AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("Namespace") == "AWS/WAFV2" and alarm["Properties"].get("MetricName") == "BlockedRequests"
    ]
    assert watched, "nobody hears of blocked sign-ins"
    (alarm,) = watched
    dimensions = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
    assert dimensions["Rule"] == everything["VisibilityConfig"]["MetricName"]
    assert dimensions["WebACL"] == acl["VisibilityConfig"]["MetricName"] and dimensions["Region"] == {"Ref": "AWS::Region"}
