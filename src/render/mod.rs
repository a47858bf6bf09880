//! Report writers: one file per format, each an implementation of [`Writer`], and one line
//! per format in [`WRITERS`]. Writers see only the [`Report`]: they format what it holds and
//! never decide a verdict or consult the rule registry behind it.

pub mod set;
pub mod template;

use std::path::{Path, PathBuf};

use crate::report::Report;

/// One report format.
pub trait Writer: Sync {
    /// The `--format` name.
    fn name(&self) -> &'static str;
    /// What follows `report.` in the file's name: the name unless the format says otherwise.
    fn extension(&self) -> &'static str {
        self.name()
    }
    /// Written by `--out-dir` when `--format` is not given (the formats for other tools'
    /// intake, ASFF and OCSF, are asked for by name).
    fn by_default(&self) -> bool {
        true
    }
    /// One line for `--help`.
    fn about(&self) -> &'static str;
    /// Writes the report into `out`.
    fn write(
        &self,
        report: &Report,
        options: &RenderOptions,
        out: &mut dyn std::io::Write,
    ) -> Result<(), RenderError>;
}

/// Declares each format's module and lists the writers, in the order reports list them, from
/// one line each.
macro_rules! writers {
    ($($module:ident :: $writer:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// Every format, in the order reports list them.
        pub static WRITERS: &[&dyn Writer] = &[$(&$module::$writer),*];
    };
}

writers! {
    sarif::Sarif,
    csv::Csv,
    html::Html,
    markdown::Markdown,
    json::Json,
    asff::Asff,
    ocsf::Ocsf,
}

/// A format chosen with `--format`.
#[derive(Clone, Copy)]
pub struct Format(pub &'static dyn Writer);

impl Format {
    /// The format called `name`.
    pub fn named(name: &str) -> Option<Format> {
        WRITERS
            .iter()
            .find(|w| w.name() == name)
            .map(|w| Format(*w))
    }

    /// Every format.
    pub fn all() -> Vec<Format> {
        WRITERS.iter().map(|w| Format(*w)).collect()
    }

    /// The formats `--out-dir` writes when `--format` is not given.
    pub fn defaults() -> Vec<Format> {
        WRITERS
            .iter()
            .filter(|w| w.by_default())
            .map(|w| Format(*w))
            .collect()
    }

    /// What follows `report.` in the file's name.
    pub fn extension(self) -> &'static str {
        self.0.extension()
    }

    /// Position in [`WRITERS`]: the order formats are listed.
    pub fn rank(self) -> usize {
        WRITERS
            .iter()
            .position(|w| w.name() == self.0.name())
            .unwrap_or(usize::MAX)
    }
}

impl PartialEq for Format {
    fn eq(&self, other: &Self) -> bool {
        self.0.name() == other.0.name()
    }
}

impl std::fmt::Debug for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.name())
    }
}

/// `--format` values for clap, with their help.
pub fn possible_values() -> Vec<clap::builder::PossibleValue> {
    WRITERS
        .iter()
        .map(|w| clap::builder::PossibleValue::new(w.name()).help(w.about()))
        .collect()
}

/// Options that change how reports are written (not what they conclude).
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Include PASS and NOT_APPLICABLE results in SARIF.
    pub sarif_all_results: bool,
    /// SARIF `automationDetails.id` category.
    pub sarif_category: String,
    /// Templates replacing the embedded ones.
    pub templates: template::Templates,
}

/// A writer that could not produce its output.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A template failed to render.
    #[error("template {name}: {message}")]
    Template {
        /// Template name.
        name: String,
        /// Tera's explanation, on one line.
        message: String,
    },
    /// Serialisation failed (a bug, reported rather than panicking).
    #[error("could not serialise the {0} report: {1}")]
    Serialise(&'static str, String),
    /// The destination could not be written.
    #[error("cannot write: {0}")]
    Io(#[from] std::io::Error),
}

/// Renders one format into `out`.
pub fn render(
    report: &Report,
    format: Format,
    options: &RenderOptions,
    out: &mut dyn std::io::Write,
) -> Result<(), RenderError> {
    format.0.write(report, options, out)
}

/// Where `format` goes inside `--out-dir`.
pub fn output_path(out_dir: &Path, format: Format) -> PathBuf {
    out_dir.join(format!("report.{}", format.extension()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_have_distinct_names() {
        let mut names: Vec<&str> = WRITERS.iter().map(|w| w.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), WRITERS.len());
        for w in WRITERS {
            let extension = Format::named(w.name()).map(|f| f.extension());
            assert!(
                extension.is_some_and(|e| e.starts_with(w.name())),
                "{extension:?}"
            );
            assert!(!w.about().is_empty());
        }
    }
}
