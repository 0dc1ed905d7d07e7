"""A Cognito user pool and app client on the test rig's moto, as the SAM template makes them on AWS:
people sign in by email (an account's username is then its `sub`), and the client has no secret and
allows SRP, refresh and — for the CLI — password logins. Prints `POOL_ID CLIENT_ID`.

    python rig_user_pool.py MOTO_URL NAME
"""

import sys

import boto3

moto, name = sys.argv[1], sys.argv[2]
cognito = boto3.client("cognito-idp", endpoint_url=moto, region_name="us-east-1")
pool = cognito.create_user_pool(PoolName=name, UsernameAttributes=["email"], AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
client = cognito.create_user_pool_client(
    UserPoolId=pool,
    ClientName=name,
    GenerateSecret=False,
    ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"],
)["UserPoolClient"]["ClientId"]
print(pool, client)
