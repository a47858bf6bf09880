#!/usr/bin/env bash
# Step 2 of action.yml: run the scan, append the Markdown report to the job summary and set
# the step's outputs. The scan's exit code is an output; the verdict step turns it into the
# step's success or failure after the SARIF upload.
set -euo pipefail

out="${SA_OUT_DIR:-sagemaker-audit-reports}"
# md for the job summary and json for the outputs, whatever else was asked for.
formats="${SA_FORMATS:-sarif,md,json}"
for needed in md json; do
  case ",$formats," in *",$needed,"*) ;; *) formats="$formats,$needed" ;; esac
done

args=(scan)
if [ "${SA_LIVE:-false}" = true ]; then
  args+=(--live)
  # Flags, split on white space as written.
  read -r -a live_args <<< "${SA_LIVE_ARGS:-}"
  args+=("${live_args[@]}")
else
  read -r -a paths <<< "${SA_PATHS:-.}"
  [ "${#paths[@]}" -gt 0 ] || paths=(.)
  args+=("${paths[@]}")
fi
args+=(--out-dir "$out" --format "$formats" --fail-on "${SA_FAIL_ON:-high}")
args+=(--sarif-category "${SA_SARIF_CATEGORY:-sagemaker-audit}")
[ -n "${SA_WAIVERS:-}" ] && args+=(--waivers "$SA_WAIVERS")
[ -n "${SA_BASELINE:-}" ] && args+=(--baseline "$SA_BASELINE" --fail-on-new)

set +e
sagemaker-audit "${args[@]}"
code=$?
set -e

{
  echo "exit-code=$code"
  echo "report-dir=$out"
} >> "$GITHUB_OUTPUT"

if [ -f "$out/report.md" ]; then
  cat "$out/report.md" >> "$GITHUB_STEP_SUMMARY"
fi
if [ -f "$out/report.sarif" ]; then
  echo "sarif-file=$out/report.sarif" >> "$GITHUB_OUTPUT"
fi
if [ -f "$out/report.json" ]; then
  # Counts from the JSON report (jq is on every GitHub-hosted runner).
  jq -r '.summary as $s |
    "fail=\($s.fail)", "pass=\($s.pass)", "not-applicable=\($s.not_applicable)",
    "errors=\($s.errors)", "gating-failures=\($s.gating_failures)"' "$out/report.json" >> "$GITHUB_OUTPUT"
fi
exit 0
