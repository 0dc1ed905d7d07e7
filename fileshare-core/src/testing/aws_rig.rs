//! Setup on the AWS test rig (s3s-fs, moto) that every crate's end-to-end tests share: the bucket and
//! table the SAM template creates on AWS, and a Cognito user pool with an app client on moto.

use super::skip_unless_configured;
use crate::backends::AwsLocation;
use serde_json::{json, Value};

/// Where the rig's servers listen (from `scripts/test-servers`' environment file).
#[derive(Clone, Debug)]
pub struct Endpoints {
    /// S3 (s3s-fs).
    pub s3: String,
    /// DynamoDB (moto).
    pub dynamodb: String,
    /// moto itself, for Cognito.
    pub moto: String,
    /// Cognito as a browser meets it: moto behind the rig's stand-in (SRP checks, RevokeToken).
    pub cognito: String,
}

/// All three endpoints, or `None` (the test skips; see [`skip_unless_configured`]).
pub fn endpoints() -> Option<Endpoints> {
    let s3 = skip_unless_configured("FILESHARE_TEST_S3_ENDPOINT");
    let dynamodb = skip_unless_configured("FILESHARE_TEST_DYNAMODB_ENDPOINT");
    let moto = skip_unless_configured("FILESHARE_TEST_MOTO_ENDPOINT");
    let cognito = skip_unless_configured("FILESHARE_TEST_COGNITO_ENDPOINT");
    Some(Endpoints { s3: s3?, dynamodb: dynamodb?, moto: moto?, cognito: cognito? })
}

/// A bucket and a table named `name` on the rig, created unless they exist (as the infrastructure
/// template creates them on AWS).
pub async fn prepared_location(name: &str, endpoints: &Endpoints) -> AwsLocation {
    let location = AwsLocation {
        s3_endpoint: Some(endpoints.s3.clone()),
        dynamodb_endpoint: Some(endpoints.dynamodb.clone()),
        ..AwsLocation::new(name, name)
    };
    location.open_creating_missing().await.expect("bucket and table");
    location
}

/// A call to one of moto's JSON APIs (`target` is the `X-Amz-Target`, `service` the signing name),
/// for what only moto has (an administrator's Cognito calls). moto checks no signature but routes
/// by the credential scope, so a placeholder one is sent. Panics unless it succeeds.
async fn moto_call(moto: &str, service: &str, content_type: &str, target: String, body: Value) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{moto}/"))
        .header("content-type", content_type)
        .header("x-amz-target", &target)
        .header(
            "authorization",
            format!("AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0"),
        )
        .body(body.to_string())
        .send()
        .await
        .expect("moto answers");
    assert!(response.status().is_success(), "{target}: {}", response.status());
    serde_json::from_str(&response.text().await.unwrap_or_default()).unwrap_or(Value::Null)
}

/// An administrator's call to moto's Cognito JSON API. Panics unless it succeeds.
pub async fn moto_cognito(moto: &str, action: &str, body: Value) -> Value {
    let target = format!("AWSCognitoIdentityProviderService.{action}");
    moto_call(moto, "cognito-idp", "application/x-amz-json-1.1", target, body).await
}

/// What DynamoDB's TTL does to an abandoned upload's record in `table` (region us-east-1): deletes
/// it by itself, outside every transaction of the service. Returns the table stream's record of
/// that removal, as the events function receives it: the old image, and TTL's own identity. The
/// delete is a signed SDK request, as real DynamoDB requires (dynoxide refuses an unsigned one).
pub async fn remove_by_ttl(dynamodb: &str, table: &str, file: &crate::FileId) -> Value {
    use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .endpoint_url(dynamodb)
        .credentials_provider(aws_credential_types::Credentials::new("test", "test", None, None, "the test rig"))
        .build();
    let key = [("PK", format!("FILE#{file}")), ("SK", "META".to_owned())];
    let removed = aws_sdk_dynamodb::Client::from_conf(config)
        .delete_item()
        .table_name(table)
        .set_key(Some(key.iter().map(|(k, v)| ((*k).to_owned(), AttributeValue::S(v.clone()))).collect()))
        .return_values(ReturnValue::AllOld)
        .send()
        .await
        .expect("DeleteItem");
    let old = removed.attributes.unwrap_or_default();
    assert!(!old.is_empty(), "no record of {file} to remove");
    let image: serde_json::Map<String, Value> =
        old.iter().map(|(name, value)| (name.clone(), dynamo_json(value))).collect();
    json!({
        "eventID": format!("ttl-{file}"),
        "eventName": "REMOVE",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "userIdentity": {"type": "Service", "principalId": "dynamodb.amazonaws.com"},
        "dynamodb": {"Keys": {"PK": {"S": format!("FILE#{file}")}, "SK": {"S": "META"}}, "OldImage": image,
                     "StreamViewType": "NEW_AND_OLD_IMAGES"},
    })
}

/// An attribute as DynamoDB JSON (`{"S": "…"}`, `{"N": "…"}`, …), as stream records carry it.
fn dynamo_json(value: &aws_sdk_dynamodb::types::AttributeValue) -> Value {
    use aws_sdk_dynamodb::types::AttributeValue as A;
    match value {
        A::S(s) => json!({"S": s}),
        A::N(n) => json!({"N": n}),
        A::Bool(b) => json!({"BOOL": b}),
        A::Null(_) => json!({"NULL": true}),
        A::Ss(list) => json!({"SS": list}),
        A::Ns(list) => json!({"NS": list}),
        A::L(list) => json!({"L": list.iter().map(dynamo_json).collect::<Vec<_>>()}),
        A::M(map) => {
            json!({"M": map.iter().map(|(k, v)| (k.clone(), dynamo_json(v))).collect::<serde_json::Map<_, _>>()})
        }
        other => panic!("an attribute the file records never hold: {other:?}"),
    }
}

/// A user pool named `name` with an app client allowing USER_PASSWORD_AUTH: `(pool id, client id)`.
pub async fn moto_user_pool(moto: &str, name: &str) -> (String, String) {
    let pool = moto_cognito(moto, "CreateUserPool", json!({"PoolName": name})).await["UserPool"]["Id"]
        .as_str()
        .expect("pool id")
        .to_owned();
    let body = json!({"UserPoolId": pool, "ClientName": name, "ExplicitAuthFlows": ["USER_PASSWORD_AUTH"]});
    let client = moto_cognito(moto, "CreateUserPoolClient", body).await["UserPoolClient"]["ClientId"]
        .as_str()
        .expect("client id")
        .to_owned();
    (pool, client)
}
