//! Keeps the raw body of a successful response, so live mode parses exactly the bytes
//! `collect` writes and an offline scan reads back.

use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// An interceptor for one call; `body()` holds the last successful attempt's body.
#[derive(Debug, Clone, Default)]
pub struct CaptureBody {
    body: Arc<Mutex<Option<Vec<u8>>>>,
}

impl CaptureBody {
    /// The captured body, if the call succeeded.
    pub fn body(&self) -> Option<Vec<u8>> {
        self.body.lock().ok().and_then(|mut b| b.take())
    }
}

impl Intercept for CaptureBody {
    fn name(&self) -> &'static str {
        "CaptureBody"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if context.output_or_error().is_ok()
            && let Some(bytes) = context.response().body().bytes()
            && let Ok(mut slot) = self.body.lock()
        {
            *slot = Some(bytes.to_vec());
        }
        Ok(())
    }
}
