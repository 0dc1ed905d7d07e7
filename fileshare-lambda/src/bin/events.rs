//! `fileshare-events`: the Lambda function subscribed to the bucket's `ObjectCreated` events (marks
//! uploads available) and to the table's stream (gives back the usage of uploads TTL removed, and
//! removes their bytes; finishes large deletes).

use fileshare_lambda::{events, AppState, ServiceConfig};
use lambda_runtime::{service_fn, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    fileshare_lambda::server::init_logging()?;
    let config = ServiceConfig::from_env()?;
    let state = AppState::new(&config, true).await?;
    let (service, table) = (state.service, state.table);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
        let (service, table) = (service.clone(), table.clone());
        async move {
            let outcomes = events::handle(&service, table.as_deref(), event.payload).await?;
            Ok::<_, lambda_runtime::Error>(outcomes.len())
        }
    }))
    .await
}
