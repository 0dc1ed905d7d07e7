//! `fileshare-events`: the Lambda function subscribed to the bucket's `ObjectCreated` events (marks
//! uploads available) and to the table's TTL deletions (removes abandoned uploads' bytes).

use fileshare_lambda::{events, AppState, ServiceConfig};
use lambda_runtime::{service_fn, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    fileshare_lambda::server::init_logging()?;
    let config = ServiceConfig::from_env()?;
    let state = AppState::new(&config, true).await?;
    let service = state.service;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
        let service = service.clone();
        async move {
            let outcomes = events::handle(&service, event.payload).await?;
            Ok::<_, lambda_runtime::Error>(outcomes.len())
        }
    }))
    .await
}
