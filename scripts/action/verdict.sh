#!/usr/bin/env bash
# Step 4 of action.yml: fail the step the way the scan's exit code says, once the reports are
# uploaded.
set -euo pipefail
code="${SA_EXIT:-}"
case "$code" in
  0) echo "sagemaker-audit: no failing check at or above fail-on" ;;
  1) echo "::error::sagemaker-audit: ${SA_GATING:-some} failing checks at or above fail-on (see the job summary and code scanning)"; exit 1 ;;
  3) echo "::error::sagemaker-audit: ${SA_ERRORS:-some} inputs could not be evaluated, so the audit is incomplete"; exit 3 ;;
  "") echo "::error::sagemaker-audit did not run"; exit 1 ;;
  *) echo "::error::sagemaker-audit failed with exit code $code (see the scan step's log)"; exit "$code" ;;
esac
