"""The template as data, for the tests in this folder: as written (CloudFormation's short tags read as
{"Fn::…": …}), and as AWS SAM transforms it (what CloudFormation is actually given), plus the helpers
the tests share."""

import json
import pathlib
import shlex

import yaml

INFRA = pathlib.Path(__file__).resolve().parents[1]
TEMPLATE = INFRA / "template.yaml"
RUNBOOK = INFRA / "RUNBOOK.md"
SAMCONFIG = INFRA / "samconfig.toml"


class CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Ref, !Sub, !GetAtt, …) as {"Fn::…": …} values."""


def _intrinsic(loader, suffix, node):
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


CfnLoader.add_multi_constructor("!", _intrinsic)


def load():
    return yaml.load(TEMPLATE.read_text(), Loader=CfnLoader)


def transform(region="us-east-1"):
    """The template after SAM's transform, offline, with the translator cfn-lint runs (local code paths
    and managed policies stubbed): the event sources, permissions and aliases SAM generates."""
    from cfnlint.decode import decode
    from cfnlint.template.transforms._sam import Transform

    decoded, errors = decode(str(TEMPLATE))
    assert not errors, errors
    sam = Transform(str(TEMPLATE), decoded, region)
    failures = sam.transform_template()
    assert not failures, failures
    return json.loads(json.dumps(sam.template(), default=str))


def resources(template, kind):
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def as_list(value):
    return value if isinstance(value, list) else [value]


def expand(stmts):
    """A policy's statements, with each `Fn::If` statement standing for both of its branches
    (AWS::NoValue standing for none)."""
    for stmt in as_list(stmts):
        if "Fn::If" in stmt:
            _, yes, no = stmt["Fn::If"]
            for branch in (yes, no):
                if branch != {"Ref": "AWS::NoValue"}:
                    yield branch
        else:
            yield stmt


def statements(template):
    """Every IAM statement a function is granted, per function."""
    for name, function in resources(template, "AWS::Serverless::Function").items():
        for policy in function["Properties"].get("Policies", []):
            assert isinstance(policy, dict) and "Statement" in policy, f"{name}: only inline policies (no SAM policy templates)"
            yield name, list(expand(policy["Statement"]))


def function_statements(template, function):
    return [s for name, stmts in statements(template) if name == function for s in stmts]


def policy_statements(template, policy):
    return list(expand(template["Resources"][policy]["Properties"]["PolicyDocument"]["Statement"]))


def by_sid(stmts):
    return {s["Sid"]: s for s in stmts}


def actions(stmt):
    return set(as_list(stmt["Action"]))


def ref(value):
    """The logical id a value refers to (Ref or GetAtt), else None."""
    if isinstance(value, dict):
        if "Ref" in value:
            return value["Ref"]
        if "Fn::GetAtt" in value:
            return value["Fn::GetAtt"][0]
    return None


def overrides(parameters):
    pairs = parameters if isinstance(parameters, list) else shlex.split(parameters)
    return dict(pair.split("=", 1) for pair in pairs)


def evaluate(expression, values):
    """The template's Rules functions (the few it uses) over parameter values."""
    if isinstance(expression, str):
        return expression
    (function, argument), = expression.items()
    if function == "Ref":
        return values[argument]
    if function == "Fn::Equals":
        return evaluate(argument[0], values) == evaluate(argument[1], values)
    if function == "Fn::Not":
        return not evaluate(argument[0], values)
    if function == "Fn::And":
        return all(evaluate(a, values) for a in argument)
    if function == "Fn::Or":
        return any(evaluate(a, values) for a in argument)
    raise AssertionError(f"no evaluator for {function}")


def rule_failures(template, values):
    failures = []
    for name, rule in template.get("Rules", {}).items():
        if "RuleCondition" not in rule or evaluate(rule["RuleCondition"], values):
            failures += [f"{name}: {a['AssertDescription']}" for a in rule["Assertions"] if not evaluate(a["Assert"], values)]
    return failures
