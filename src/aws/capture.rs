//! Interceptors on every call: one keeps the raw body of a successful response, so live mode
//! parses exactly the bytes `collect` writes and an offline scan reads back; the other refuses
//! a response body larger than a describe document can be, so a hostile or broken endpoint
//! cannot make the scan hold gigabytes.

use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    AfterDeserializationInterceptorContextRef, BeforeDeserializationInterceptorContextMut,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
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

/// Caps every response body at [`crate::ingest::MAX_DOCUMENT_BYTES`]: one that declares a
/// larger `Content-Length` fails at once, and one that streams more fails as soon as it passes
/// the cap, before it is held in memory.
#[derive(Debug, Clone, Copy, Default)]
pub struct BodyLimit;

impl Intercept for BodyLimit {
    fn name(&self) -> &'static str {
        "BodyLimit"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let limit = crate::ingest::MAX_DOCUMENT_BYTES;
        let response = context.response_mut();
        let declared = response
            .headers()
            .get("content-length")
            .and_then(|v| v.trim().parse::<u64>().ok());
        if let Some(len) = declared.filter(|&len| len > limit as u64) {
            return Err(format!(
                "the response body is {len} bytes, more than the {} MiB a describe response can be",
                limit >> 20
            )
            .into());
        }
        let body = std::mem::replace(response.body_mut(), SdkBody::taken());
        *response.body_mut() = SdkBody::from_body_1_x(http_body_util::Limited::new(body, limit));
        Ok(())
    }
}
