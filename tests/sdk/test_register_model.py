"""The SageMaker Python SDK 2 is the producer of a RegisterModel step: the tool judges the step
as the model package it will create (src/kinds/model_package.rs)."""

import subprocess
import sys
from pathlib import Path

from test_sdk_config_agrees import environment, scan


def test_a_registered_model_is_judged_as_a_model_package(tmp_path):
    env = environment(tmp_path, None, None)
    definition = tmp_path / "sdk2-register.json"
    subprocess.run([sys.executable, str(Path(__file__).with_name("make_register_pipeline.py")), str(definition)],
                   env=env, check=True, capture_output=True, text=True)
    report = scan([str(definition)], env, tmp_path / "out")
    found = {(f["job_name"], f["rule_id"]): f["status"] for f in report["findings"]}
    step = "sdk2-register/RegisterChurn-RegisterModel"
    assert found == {
        # Model.register() sets no SecurityConfig: the package's records get no key of the account's.
        (step, "model-package-information-cmk"): "FAIL",
        # No validation profile: nothing runs, so the validation checks do not apply.
        (step, "model-package-validation-volume-cmk"): "NOT_APPLICABLE",
        (step, "model-package-validation-output-cmk"): "NOT_APPLICABLE",
    }, found
    assert all(f["resource_type"] == "model-package" for f in report["findings"])
