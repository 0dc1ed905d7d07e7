use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use serde_json::{json, Map, Value};
use std::sync::{Arc, Mutex};

/// Headers that carry credentials: never written to the call log.
const SECRET_HEADERS: [&str; 2] = ["authorization", "x-amz-security-token"];

#[derive(Clone, Debug, Default)]
pub struct Probe {
    sent: Arc<Mutex<Vec<Value>>>,
    fail_next: Arc<Mutex<Option<&'static str>>>,
}

impl Probe {
    /// The operations sent since the last call.
    pub fn take(&self) -> Vec<String> {
        self.take_calls().iter().map(|call| call["operation"].as_str().unwrap_or("unknown").to_owned()).collect()
    }

    /// The requests sent since the last call, as the IAM proof reads them (`infra/tests/iam`):
    /// the IAM service prefix, the operation, method, URI, headers without credentials, and for
    /// DynamoDB the JSON body.
    pub fn take_calls(&self) -> Vec<Value> {
        std::mem::take(&mut *self.sent.lock().expect("log lock"))
    }

    /// Fails the next request of `operation`, once.
    pub fn fail_next(&self, operation: &'static str) {
        *self.fail_next.lock().expect("lock") = Some(operation);
    }
}

/// The IAM prefix of an SDK service name.
fn iam_prefix(service: &str) -> String {
    match service.to_ascii_lowercase().as_str() {
        "dynamodb" => "dynamodb".to_owned(),
        "s3" => "s3".to_owned(),
        "cognitoidentityprovider" | "cognito identity provider" => "cognito-idp".to_owned(),
        other => other.to_owned(),
    }
}

/// One request in the call log's shape; `presigned` marks a request made with a presigned URL.
pub fn call(service: &str, operation: &str, method: &str, uri: &str, headers: Map<String, Value>) -> Value {
    json!({"service": service, "operation": operation, "presigned": false, "method": method, "uri": uri,
           "headers": headers})
}

impl Intercept for Probe {
    fn name(&self) -> &'static str {
        "Probe"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let metadata = cfg.load::<Metadata>();
        let operation = metadata.map_or("unknown", |m| m.name()).to_owned();
        let mut armed = self.fail_next.lock().expect("lock");
        if armed.is_some_and(|op| op == operation) {
            *armed = None;
            return Err(format!("injected failure: the process died before {operation}").into());
        }
        let request = context.request();
        let headers: Map<String, Value> = request
            .headers()
            .iter()
            .filter(|(name, _)| !SECRET_HEADERS.contains(&name.to_ascii_lowercase().as_str()))
            .map(|(name, value)| (name.to_ascii_lowercase(), Value::from(value)))
            .collect();
        let service = iam_prefix(metadata.map_or("unknown", |m| m.service()));
        let mut sent = call(&service, &operation, request.method(), request.uri(), headers);
        // DynamoDB's requests are JSON in memory; S3's bodies are file bytes, of no interest.
        if service == "dynamodb" {
            let body = request.body().bytes().and_then(|b| serde_json::from_slice::<Value>(b).ok());
            sent["body"] = body.unwrap_or(Value::Null);
        }
        self.sent.lock().expect("log lock").push(sent);
        Ok(())
    }
}
