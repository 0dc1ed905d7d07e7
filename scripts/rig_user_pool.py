"""A Cognito user pool and app client on the test rig's moto, as the SAM template makes them on AWS:
people sign in by email (an account's username is then its `sub`), the client has no secret and
allows SRP, refresh and — for the CLI — password logins, and the pool's PostConfirmation and
PostAuthentication triggers invoke the events function (which the rig's Cognito stand-in calls
through its Lambda stand-in). Prints `POOL_ID CLIENT_ID`.

    python rig_user_pool.py MOTO_URL NAME [TRIGGER_FUNCTION]
"""

import sys

import boto3

moto, name = sys.argv[1], sys.argv[2]
function = sys.argv[3] if len(sys.argv) > 3 else None
cognito = boto3.client("cognito-idp", endpoint_url=moto, region_name="us-east-1")
triggers = {}
if function:
    arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function}"
    triggers = {"LambdaConfig": {"PostConfirmation": arn, "PostAuthentication": arn}}
pool = cognito.create_user_pool(
    PoolName=name, UsernameAttributes=["email"], AutoVerifiedAttributes=["email"], **triggers
)["UserPool"]["Id"]
client = cognito.create_user_pool_client(
    UserPoolId=pool,
    ClientName=name,
    GenerateSecret=False,
    ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"],
)["UserPoolClient"]["ClientId"]
print(pool, client)
