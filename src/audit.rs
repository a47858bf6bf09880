//! Audit annotations: what an auditor adds to the verdicts before the report is written.
//! Waivers mark accepted failures, a baseline marks failures new or unchanged and lists the
//! fixed ones, and a framework narrows the compliance view. Verdicts never change here; the
//! compliance summary is recomputed once everything is applied, so every writer shows the
//! same one.

use crate::baseline::Baseline;
use crate::report::Report;
use crate::waivers::Waiver;

/// The annotations requested on the command line, validated before any input is read.
#[derive(Debug, Default)]
pub struct Audit {
    /// `--waivers`: the file as given and its waivers.
    pub waivers: Option<(String, Vec<Waiver>)>,
    /// `--baseline`.
    pub baseline: Option<Baseline>,
    /// `--fail-on-new`.
    pub fail_on_new: bool,
    /// `--framework`.
    pub framework: Option<&'static str>,
}

impl Audit {
    /// Annotates the report's findings and recomputes its compliance summary.
    pub fn annotate(&self, report: &mut Report) {
        if let Some((file, waivers)) = &self.waivers {
            // A waiver's last day is judged by the run's own date, so a report regenerated
            // with SOURCE_DATE_EPOCH decides the same way.
            let today = chrono::DateTime::parse_from_rfc3339(&report.generated_at)
                .map(|t| t.date_naive())
                .unwrap_or_else(|_| chrono::Utc::now().date_naive());
            crate::waivers::apply(report, file, waivers, today);
        }
        if let Some(baseline) = &self.baseline {
            crate::baseline::apply(report, baseline, self.fail_on_new);
        }
        // Nothing applied leaves the counts the report was built with (counting again costs
        // a pass over every finding per framework).
        let changed =
            self.waivers.is_some() || self.baseline.is_some() || report.framework != self.framework;
        report.framework = self.framework;
        if changed {
            report.recount();
        }
    }
}
