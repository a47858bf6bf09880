"""The SageMaker Python SDK 2 is the producer of a processing step whose inputs an Athena and a
Redshift query make: each query's key is judged where the SDK writes it (a pipeline parameter
for Athena, nothing for Redshift), next to the step's own volume and output keys."""

import subprocess
import sys
from pathlib import Path

from test_sdk_config_agrees import environment, scan

KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_each_query_input_is_judged_on_the_key_the_sdk_writes(tmp_path):
    env = environment(tmp_path, None, None)
    definition = tmp_path / "sdk2-queries.json"
    subprocess.run([sys.executable, str(Path(__file__).with_name("make_query_pipeline.py")), str(definition)],
                   env=env, check=True, capture_output=True, text=True)
    report = scan([str(definition)], env, tmp_path / "out")
    got = {(f["rule_id"], f["part"]): (f["status"], f["kms_key"], f["message"].split(" ")[0])
           for f in report["findings"]}
    assert got == {
        ("processing-volume-cmk", None): ("PASS", "alias/ml-volumes", "The"),
        ("processing-output-cmk", None): ("PASS", "alias/ml-outputs", "The"),
        ("processing-output-cmk", "input sales (Athena query results)"): ("PASS", KEY, "The"),
        ("processing-output-cmk", "input crm (Redshift query results)"):
            ("FAIL", None, "Arguments.ProcessingInputs[1].DatasetDefinition.RedshiftDatasetDefinition.KmsKeyId"),
    }, got
    # The Athena key comes from the parameter's default, and the report says so.
    athena = next(f for f in report["findings"] if f["part"] == "input sales (Athena query results)")
    assert athena["message"].startswith("The query results use the key"), athena["message"]
    assert "default of pipeline parameter QueryKey" in athena["message"], athena["message"]
