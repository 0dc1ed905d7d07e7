//! `fileshare-s3-events`: the Lambda function subscribed to the bucket's `ObjectCreated` events.
//! Marks uploads available (idempotently) without waiting for the client to call `complete`.

use aws_lambda_events::event::s3::S3Event;
use fileshare_lambda::{s3_events, AppState, ServiceConfig};
use lambda_runtime::{service_fn, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    fileshare_lambda::server::init_logging();
    let config = ServiceConfig::from_env()?;
    let state = AppState::new(&config, true).await?;
    let service = state.service;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<S3Event>| {
        let service = service.clone();
        async move {
            let outcomes = s3_events::handle(&service, event.payload).await.map_err(lambda_runtime::Error::from)?;
            Ok::<_, lambda_runtime::Error>(outcomes.len())
        }
    }))
    .await
}
