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
    training_volume::TrainingVolumeCmk,
    training_output::TrainingOutputCmk,
    processing_volume::ProcessingVolumeCmk,
    processing_output::ProcessingOutputCmk,
    transform_volume::TransformVolumeCmk,
    transform_output::TransformOutputCmk,
    tuning_volume::TuningVolumeCmk,
    tuning_output::TuningOutputCmk,
    automl_volume::AutomlVolumeCmk,
    automl_output::AutomlOutputCmk,
}
