//! CSV for auditors: one row per check and key slot of each resource, one `ERROR` row per
//! input that failed.

use super::{RenderError, RenderOptions, Writer};
use crate::report::{Report, Status};

/// The CSV writer.
pub struct Csv;

impl Writer for Csv {
    fn name(&self) -> &'static str {
        "csv"
    }

    fn about(&self) -> &'static str {
        "CSV (RFC 4180) for auditors and spreadsheets"
    }

    fn write(
        &self,
        report: &Report,
        _: &RenderOptions,
        out: &mut dyn std::io::Write,
    ) -> Result<(), RenderError> {
        render(report, out)
    }
}

/// Column names, in order. The first eleven are the contract; the rest add evidence. New
/// columns are only ever appended.
pub const COLUMNS: [&str; 27] = [
    "status",
    "severity",
    "rule_id",
    "job_name",
    "job_arn",
    "account_id",
    "region",
    "kms_key",
    "key_manager",
    "message",
    "source_file",
    "line",
    "key_state",
    "instance_types",
    "job_status",
    "creation_time",
    "last_modified_time",
    "waived",
    "waiver_reason",
    "waiver_owner",
    "waiver_expires",
    "baseline_state",
    "compliance",
    "run_id",
    "resource_type",
    "part",
    "origin",
];

/// Where `compliance` is in [`COLUMNS`].
const COMPLIANCE: usize = 22;

/// Writes the report as RFC 4180 CSV (comma, CRLF, UTF-8, header row).
pub fn render(report: &Report, out: &mut dyn std::io::Write) -> Result<(), RenderError> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    let err = |e: csv::Error| RenderError::Serialise("CSV", e.to_string());
    w.write_record(COLUMNS).map_err(err)?;
    // The same for every row of a rule: build (and neutralise) it once.
    let compliance: std::collections::HashMap<_, String> = report
        .rules
        .iter()
        .map(|meta| {
            let text = report
                .controls(meta)
                .map(crate::rules::Compliance::label)
                .collect::<Vec<_>>()
                .join("; ");
            (meta.id, neutralise(&text).into_owned())
        })
        .collect();
    for f in &report.findings {
        let line = f.line.to_string();
        let r = &*f.resource;
        let types = r.instance_types.join(" ");
        let waiver = f.applied_waiver();
        let waived = match (f.status, waiver) {
            (_, Some(_)) => "yes",
            (Status::Fail, None) => "no",
            _ => "",
        };
        let compliance = compliance.get(f.rule.id).map_or("", String::as_str);
        let row = [
            f.status.as_str(),
            f.severity.as_str(),
            f.rule.id,
            &r.name,
            &r.arn,
            &r.account_id,
            &r.region,
            f.kms_key.as_deref().unwrap_or(""),
            f.key_manager.as_str(),
            &f.message,
            &r.source_file,
            &line,
            f.key_state.as_deref().unwrap_or(""),
            &types,
            r.status.as_deref().unwrap_or(""),
            r.creation_time.as_deref().unwrap_or(""),
            r.last_modified_time.as_deref().unwrap_or(""),
            waived,
            waiver.map_or("", |w| w.reason.as_str()),
            waiver.map_or("", |w| w.owner.as_str()),
            waiver.map_or("", |w| w.expires.as_str()),
            f.baseline.map_or("", |b| b.as_str()),
            compliance,
            &report.run_id,
            r.kind.resource_type(),
            f.part.as_deref().unwrap_or(""),
            r.origin.name().unwrap_or(""),
        ];
        for (i, cell) in row.iter().enumerate() {
            match i {
                COMPLIANCE => w.write_field(cell),
                _ => w.write_field(neutralise(cell).as_bytes()),
            }
            .map_err(err)?;
        }
        // An empty record ends the one the fields began.
        w.write_record(None::<&[u8]>).map_err(err)?;
    }
    for e in &report.errors {
        let message = match &e.location {
            Some(loc) => format!("{loc}: {}", e.message),
            None => e.message.clone(),
        };
        let line = e.line.map(|l| l.to_string()).unwrap_or_default();
        let mut row = vec![""; COLUMNS.len()];
        row[0] = "ERROR";
        row[9] = &message;
        row[10] = &e.source;
        row[11] = &line;
        row[23] = &report.run_id;
        let cells: Vec<_> = row.iter().map(|c| neutralise(c)).collect();
        w.write_record(cells.iter().map(|c| c.as_bytes()))
            .map_err(err)?;
    }
    w.flush()?;
    Ok(())
}

/// A cell as a spreadsheet may show it: hidden controls (a terminal escape, a bidirectional
/// override that reverses what follows) made visible, and a cell it would run as a formula
/// prefixed with `'`, so it shows as text.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    let shown = crate::text::visible(cell);
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{shown}").into(),
        _ => shown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_columns_are_appended() {
        assert_eq!(COLUMNS[COMPLIANCE], "compliance");
        assert_eq!(COLUMNS[23], "run_id");
        assert_eq!(&COLUMNS[24..], ["resource_type", "part", "origin"]);
    }

    #[test]
    fn formula_cells_are_neutralised() {
        for bad in ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutralise(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(neutralise("arn:aws:kms"), "arn:aws:kms");
        // Controls from a hostile name are shown, never passed on.
        assert_eq!(
            neutralise("group \u{202e}\u{1b}[31mx"),
            "group \\u{202e}\\u{1b}[31mx"
        );
        assert_eq!(neutralise(""), "");
    }
}
