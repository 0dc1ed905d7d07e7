use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug, Default)]
pub struct Probe {
    sent: Arc<Mutex<Vec<String>>>,
    fail_next: Arc<Mutex<Option<&'static str>>>,
}

impl Probe {
    /// The operations sent since the last call.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.sent.lock().expect("log lock"))
    }

    /// Fails the next request of `operation`, once.
    pub fn fail_next(&self, operation: &'static str) {
        *self.fail_next.lock().expect("lock") = Some(operation);
    }
}

impl Intercept for Probe {
    fn name(&self) -> &'static str {
        "Probe"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg.load::<Metadata>().map_or("unknown", |m| m.name()).to_owned();
        let mut armed = self.fail_next.lock().expect("lock");
        if armed.is_some_and(|op| op == operation) {
            *armed = None;
            return Err(format!("injected failure: the process died before {operation}").into());
        }
        self.sent.lock().expect("log lock").push(operation);
        Ok(())
    }
}
