//! `fileshare-events`: the Lambda function subscribed to the bucket's `ObjectCreated` events (marks
//! uploads available), to the table's stream (gives back the usage of uploads TTL removed, and
//! removes their bytes; finishes large deletes), and invoked by the user pool's triggers (records
//! accounts in the user directory).

use fileshare_lambda::{events, AppState, ServiceConfig};
use lambda_runtime::{service_fn, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    fileshare_lambda::server::init_logging()?;
    let config = ServiceConfig::from_env()?;
    // Its metrics (directory failures) are EMF lines, as the API function's are on Lambda.
    fileshare_lambda::metrics::enable_emf(true);
    let state = AppState::new(&config, true).await?;
    let (service, table) = (state.service, state.table);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
        let (service, table) = (service.clone(), table.clone());
        async move {
            // The invocation's time left, so that a long batch stops in time instead of timing out.
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            let remaining = std::time::Duration::from_millis(event.context.deadline).saturating_sub(now);
            let answer = events::respond(&service, table.as_deref(), event.payload, Some(remaining)).await?;
            Ok::<_, lambda_runtime::Error>(answer)
        }
    }))
    .await
}
