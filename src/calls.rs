//! The live List and Describe call of each kind through the AWS SDK. A kind declares its
//! calls with [`calls!`] (the SDK's fluent builders differ only in their names); the scan
//! calls them through [`Calls`] without knowing the kind.

use std::future::Future;
use std::pin::Pin;

use aws_sdk_sagemaker::Client;
use aws_smithy_runtime_api::client::interceptors::SharedInterceptor;
use aws_smithy_types::error::display::DisplayErrorContext;

/// A failed call: the service's error code, when there is one, and one bounded line.
pub type CallError = (Option<String>, String);

/// One listed resource: its name, its ARN and, where the summary gives it, its creation time
/// (epoch seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The name Describe takes.
    pub name: String,
    /// The ARN the listing gave.
    pub arn: String,
    /// `CreationTime`, whole seconds.
    pub created: Option<i64>,
}

impl Summary {
    /// A summary without a creation time.
    pub fn new(name: String, arn: String) -> Self {
        Summary {
            name,
            arn,
            created: None,
        }
    }
}

/// One page of a listing: its summaries and the next token.
pub type Page = (Vec<Summary>, Option<String>);

/// A call in flight.
pub type Pending<'a, T> = Pin<Box<dyn Future<Output = Result<T, CallError>> + Send + 'a>>;

/// What one List call asks for.
#[derive(Debug, Clone, Copy)]
pub struct ListArgs<'a> {
    /// The token of the page to fetch (`None` for the first).
    pub token: Option<&'a str>,
    /// `CreationTimeAfter`, epoch seconds.
    pub created_after: Option<i64>,
    /// `CreationTimeBefore`, epoch seconds (only asked of a kind whose [`Calls::shards`] is
    /// true).
    pub created_before: Option<i64>,
    /// `StatusEquals`.
    pub status: Option<&'a str>,
}

/// A kind's live calls.
#[derive(Clone, Copy)]
pub struct Calls {
    /// One page of the kind's List operation (always 100 per page).
    pub list: for<'a> fn(&'a Client, ListArgs<'a>) -> Pending<'a, Page>,
    /// The Describe operation for one name (and the ARN the listing gave it, which some kinds'
    /// Describe requests need a part of); `capture` keeps the response body.
    pub describe: for<'a> fn(&'a Client, &'a str, &'a str, SharedInterceptor) -> Pending<'a, ()>,
    /// True when the List operation filters by `CreationTimeBefore` as well as
    /// `CreationTimeAfter` and its summaries carry `CreationTime`, so one listing can be split
    /// into creation-time ranges listed side by side.
    pub shards: bool,
}

/// A kind's List call from the names of the SDK's builders and types: the List operation's
/// method (and any `.setter(value)` every request of it carries; then `created: (after,
/// before)` when its creation-time filters are not `CreationTimeAfter`/`Before`), its status type (`no_status`
/// when the List operation filters by none; `(Type, setter)` when its filter is not
/// `StatusEquals`), the summaries member, the summary's name member (or `(|s| expression)` for
/// a name the summary does not hold as such) and its ARN member.
macro_rules! list_call {
    (@status $request:expr, no_status, $args:ident) => {
        $request
    };
    (@status $request:expr, ($status:ident, $setter:ident), $args:ident) => {
        $request.$setter($args.status.map(aws_sdk_sagemaker::types::$status::from))
    };
    (@status $request:expr, $status:ident, $args:ident) => {
        $request.set_status_equals($args.status.map(aws_sdk_sagemaker::types::$status::from))
    };
    (@name $summary:ident, $name:ident) => {
        $summary.$name().unwrap_or_default().to_owned()
    };
    (@name $summary:ident, (|$s:ident| $name:expr)) => {{
        let $s = $summary;
        $name
    }};
    ($list:ident $(.$set:ident($fixed:expr))*, created: ($after:ident, $before:ident),
     $status:tt, $summaries:ident, $name:tt, $arn:ident) => {
        $crate::calls::list_call!(
            @list $list [$($set($fixed))*], $after, $before, $status, $summaries, $name, $arn
        )
    };
    ($list:ident $(.$set:ident($fixed:expr))*, $status:tt, $summaries:ident, $name:tt, $arn:ident) => {
        $crate::calls::list_call!(
            @list $list [$($set($fixed))*], set_creation_time_after, set_creation_time_before,
            $status, $summaries, $name, $arn
        )
    };
    (@list $list:ident [$($set:ident($fixed:expr))*], $after:ident, $before:ident,
     $status:tt, $summaries:ident, $name:tt, $arn:ident) => {{
        fn list<'a>(
            client: &'a aws_sdk_sagemaker::Client,
            args: $crate::calls::ListArgs<'a>,
        ) -> $crate::calls::Pending<'a, $crate::calls::Page> {
            Box::pin(async move {
                let request = client
                    .$list()
                    $(.$set($fixed))*
                    .max_results(100)
                    .set_next_token(args.token.map(str::to_owned))
                    .$after(
                        args.created_after
                            .map(aws_smithy_types::DateTime::from_secs),
                    )
                    .$before(
                        args.created_before
                            .map(aws_smithy_types::DateTime::from_secs),
                    );
                let page = $crate::calls::list_call!(@status request, $status, args)
                    .send()
                    .await
                    .map_err(|e| $crate::calls::describe_error(&e))?;
                let pairs = page
                    .$summaries()
                    .iter()
                    // A summary without a name or ARN is kept empty, so the checks make it an
                    // ERROR instead of a job that silently goes missing.
                    .map(|s| $crate::calls::Summary {
                        name: $crate::calls::list_call!(@name s, $name),
                        arn: s.$arn().unwrap_or_default().to_owned(),
                        created: s.creation_time().map(|t| t.secs()),
                    })
                    .collect();
                Ok((pairs, page.next_token().map(str::to_owned)))
            })
        }
        list
    }};
}

/// A kind's [`Calls`]: its List call as [`list_call!`] takes it, then the Describe
/// operation's method, its name setter and any further `setter(value)` the request takes.
macro_rules! calls {
    ($list:ident $(.$set:ident($fixed:expr))*, $status:tt, $summaries:ident, $name:tt, $arn:ident;
     $describe:ident, $set_name:ident $(, $extra:ident($value:expr))*) => {
        $crate::calls::Calls {
            list: $crate::calls::list_call!(
                $list $(.$set($fixed))*, $status, $summaries, $name, $arn
            ),
            describe: $crate::calls::describe!($describe, $set_name $(, $extra($value))*),
            shards: true,
        }
    };
}

/// A kind's Describe call from the SDK's method and its name setter (`arn: setter` when the
/// request takes the ARN instead), for kinds whose List call is their own (a different status
/// filter, summaries without an ARN).
macro_rules! describe {
    (@by $by_arn:literal, $describe:ident, $set:ident $(, $extra:ident($value:expr))*) => {{
        fn describe<'a>(
            client: &'a aws_sdk_sagemaker::Client,
            name: &'a str,
            arn: &'a str,
            capture: aws_smithy_runtime_api::client::interceptors::SharedInterceptor,
        ) -> $crate::calls::Pending<'a, ()> {
            Box::pin(async move {
                client
                    .$describe()
                    .$set(if $by_arn { arn } else { name })
                    $(.$extra($value))*
                    .customize()
                    .interceptor(capture)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| $crate::calls::describe_error(&e))
            })
        }
        describe
    }};
    // The request names the resource by the ARN the listing gave.
    ($describe:ident, arn: $set:ident $(, $extra:ident($value:expr))*) => {
        $crate::calls::describe!(@by true, $describe, $set $(, $extra($value))*)
    };
    ($describe:ident, $set:ident $(, $extra:ident($value:expr))*) => {
        $crate::calls::describe!(@by false, $describe, $set $(, $extra($value))*)
    };
}

pub(crate) use {calls, describe, list_call};

/// The calls of a kind the SDK has no operations for (its declaration's `unlisted` says
/// why): `Group::listed` leaves such kinds out, so a scan never makes these calls; if one
/// did, it would fail with an error naming no resource, not pass.
pub const UNLISTED: Calls = {
    fn list<'a>(_: &'a Client, _: ListArgs<'a>) -> Pending<'a, Page> {
        Box::pin(async { Err((None, NOT_IN_THE_SDK.to_owned())) })
    }
    fn describe<'a>(
        _: &'a Client,
        _: &'a str,
        _: &'a str,
        _: SharedInterceptor,
    ) -> Pending<'a, ()> {
        Box::pin(async { Err((None, NOT_IN_THE_SDK.to_owned())) })
    }
    Calls {
        list,
        describe,
        shards: false,
    }
};

/// What [`UNLISTED`] answers.
const NOT_IN_THE_SDK: &str = "the AWS SDK for Rust has no operation to list or describe this kind";

/// Longest description of a failed call kept in reports; the rest is cut and counted.
const MAX_ERROR_TEXT: usize = 300;

/// One bounded line for a failed call: the service's error code and message (or the error
/// chain when there is none), control characters made visible and cut to
/// [`MAX_ERROR_TEXT`] bytes. A raw response body never gets here.
pub fn describe_error<E>(err: &aws_sdk_sagemaker::error::SdkError<E>) -> (Option<String>, String)
where
    E: aws_sdk_sagemaker::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    use aws_sdk_sagemaker::error::ProvideErrorMetadata;
    use aws_sdk_sagemaker::error::SdkError;
    let code = err.code().map(|c| crate::text::one_line(c, 100));
    let text = match (code.as_deref(), err.message()) {
        (Some(code), Some(msg)) => format!("{code}: {msg}"),
        (Some(code), None) => code.to_owned(),
        _ => match err {
            SdkError::TimeoutError(_) => {
                "the call timed out (see --attempt-timeout and --operation-timeout)".to_owned()
            }
            SdkError::ResponseError(_) => format!(
                "the response could not be read or was not a valid API response ({})",
                DisplayErrorContext(err)
            ),
            _ => DisplayErrorContext(err).to_string(),
        },
    };
    (code, crate::text::one_line(&text, MAX_ERROR_TEXT))
}
