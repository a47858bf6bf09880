//! Report writers, one module per format. Each exposes one function over the [`Report`].

pub mod csv;
pub mod json;
pub mod sarif;
pub mod template;
mod view;

use std::path::{Path, PathBuf};

use crate::report::Report;

/// The formats `--format` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Format {
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// CSV (RFC 4180) for auditors and spreadsheets.
    Csv,
    /// Self-contained HTML report.
    Html,
    /// GitHub-flavoured Markdown (fits `$GITHUB_STEP_SUMMARY`).
    Md,
    /// The tool's own versioned JSON document.
    Json,
}

impl Format {
    /// Every format, in the order files are written.
    pub const ALL: [Format; 5] = [
        Format::Sarif,
        Format::Csv,
        Format::Html,
        Format::Md,
        Format::Json,
    ];

    /// File extension, also the `--format` name.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Sarif => "sarif",
            Format::Csv => "csv",
            Format::Html => "html",
            Format::Md => "md",
            Format::Json => "json",
        }
    }
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

/// Renders one format into `out`. CSV and JSON stream; the others are built whole first.
pub fn render(
    report: &Report,
    format: Format,
    options: &RenderOptions,
    out: &mut dyn std::io::Write,
) -> Result<(), RenderError> {
    match format {
        Format::Csv => csv::render(report, out),
        Format::Json => json::render(report, out),
        Format::Sarif => Ok(out.write_all(&sarif::render(report, options)?)?),
        Format::Html => options.templates.render_html(report, out),
        Format::Md => Ok(out.write_all(&options.templates.render_markdown(report)?)?),
    }
}

/// Where `format` goes inside `--out-dir`.
pub fn output_path(out_dir: &Path, format: Format) -> PathBuf {
    out_dir.join(format!("report.{}", format.extension()))
}
