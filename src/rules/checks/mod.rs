//! One file per check: its documentation, scope and judgement. Adding a check is its file
//! plus one line in the list below.

use super::Check;

/// Declares each check's module and lists the checks, in report order, from one line each.
macro_rules! checks {
    ($($module:ident :: $check:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// Every check, in report order: by kind, volume before output.
        pub static REGISTRY: &[&dyn Check] = &[$(&$module::$check),*];
    };
}

checks! {
    training_volume::CHECK,
    training_output::CHECK,
    processing_volume::CHECK,
    processing_output::CHECK,
    transform_volume::CHECK,
    transform_output::CHECK,
    tuning_volume::CHECK,
    tuning_output::CHECK,
    automl_volume::CHECK,
    automl_output::CHECK,
    pipeline_step_volume::CHECK,
    pipeline_step_output::CHECK,
}
