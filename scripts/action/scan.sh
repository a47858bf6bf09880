#!/usr/bin/env bash
# Step 2 of action.yml: run the scan, append the Markdown report to the job summary and set
# the step's outputs. The scan's exit code is an output; the verdict step turns it into the
# step's success or failure after the SARIF upload.
set -euo pipefail

# Inputs arrive through env: (never ${{ }} inside run:). A control character in one (a newline
# in out-dir, say) could forge step outputs or flags: refuse it before anything runs.
for name in SA_PATHS SA_LIVE SA_LIVE_ARGS SA_FORMATS SA_FAIL_ON SA_WAIVERS SA_BASELINE \
  SA_SARIF_CATEGORY SA_OUT_DIR; do
  if [[ "${!name:-}" =~ [[:cntrl:]] ]]; then
    echo "::error::the input behind $name holds a control character (a newline, a tab, ...); nothing was scanned"
    exit 2
  fi
done

# Step outputs in GitHub's delimiter form, with a delimiter no value can guess.
output() {
  local delimiter
  delimiter="sagemaker_audit_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  printf '%s<<%s\n%s\n%s\n' "$1" "$delimiter" "$2" "$delimiter" >> "$GITHUB_OUTPUT"
}

out="${SA_OUT_DIR:-sagemaker-audit-reports}"
# md for the job summary and json for the outputs, whatever else was asked for.
formats="${SA_FORMATS:-sarif,md,json}"
for needed in md json; do
  case ",$formats," in *",$needed,"*) ;; *) formats="$formats,$needed" ;; esac
done

args=(scan --out-dir "$out" --format "$formats" --fail-on "${SA_FAIL_ON:-high}")
args+=(--sarif-category "${SA_SARIF_CATEGORY:-sagemaker-audit}")
[ -n "${SA_WAIVERS:-}" ] && args+=(--waivers "$SA_WAIVERS")
[ -n "${SA_BASELINE:-}" ] && args+=(--baseline "$SA_BASELINE" --fail-on-new)
if [ "${SA_LIVE:-false}" = true ]; then
  args+=(--live)
  # Flags, split on white space as written.
  read -r -a live_args <<< "${SA_LIVE_ARGS:-}"
  args+=("${live_args[@]}")
else
  read -r -a paths <<< "${SA_PATHS:-.}"
  [ "${#paths[@]}" -gt 0 ] || paths=(.)
  # After `--`, a path that starts with a dash is a path, never a flag.
  args+=(-- "${paths[@]}")
fi

set +e
sagemaker-audit "${args[@]}"
code=$?
set -e

output exit-code "$code"
output report-dir "$out"

if [ -f "$out/report.md" ]; then
  cat "$out/report.md" >> "$GITHUB_STEP_SUMMARY"
fi
if [ -f "$out/report.sarif" ]; then
  output sarif-file "$out/report.sarif"
fi
if [ -f "$out/report.json" ]; then
  # Counts from the JSON report (jq is on every GitHub-hosted runner).
  jq -r '.summary as $s |
    "fail=\($s.fail)", "pass=\($s.pass)", "not-applicable=\($s.not_applicable)",
    "errors=\($s.errors)", "gating-failures=\($s.gating_failures)"' "$out/report.json" >> "$GITHUB_OUTPUT"
fi
exit 0
