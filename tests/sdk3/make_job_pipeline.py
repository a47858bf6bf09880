"""Writes a model customization (Job step) pipeline as the SageMaker Python SDK 3 renders it for
a multi-turn RL evaluation: the SDK's own template (`MTRL_TEMPLATE_BASE_MODEL_ONLY`) and renderer
(`BaseEvaluator._render_pipeline_definition`), with the JobConfigDocument laid out as
`MultiTurnRLEvaluator` builds it (sagemaker 3.27.0): OutputDataConfig with S3OutputPath and, when
a key is given, KmsKeyArn. The evaluator itself resolves models through SageMaker Hub, which no
test may reach, so the document is assembled here field for field. Usage: OUT [KEY]."""

import json
import sys

from sagemaker.train.evaluate.base_evaluator import BaseEvaluator
from sagemaker.train.evaluate.mtrl_pipeline_templates import MTRL_TEMPLATE_BASE_MODEL_ONLY

ROLE = "arn:aws:iam::111122223333:role/ml-evaluations"
key = sys.argv[2] if len(sys.argv) > 2 else None
output = {"S3OutputPath": "s3://ml-evaluations-111122223333/agent/"}
if key:
    output["KmsKeyArn"] = key
document = {
    "AgentConfig": {"CustomAgentLambdaConfig": {"LambdaArn": "arn:aws:lambda:us-east-1:111122223333:function:agent"}},
    "InputDataConfig": [{"ChannelName": "evaluation", "DataSource": {
        "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://ml-data-111122223333/prompts/"}}}],
    "OutputDataConfig": output,
    "EvaluationConfig": {"BaseModelArn": "arn:aws:sagemaker:us-east-1:aws:hub-content/SageMakerPublicHub/Model/base/1.0.0",
                         "AcceptEula": True},
}
context = {
    "pipeline_name": "agent-eval", "role_arn": ROLE,
    "base_model_arn": document["EvaluationConfig"]["BaseModelArn"],
    "agent_arn": document["AgentConfig"]["CustomAgentLambdaConfig"]["LambdaArn"], "agent_qualifier": None,
    "dataset_uri": "s3://ml-data-111122223333/prompts/", "s3_output_path": output["S3OutputPath"],
    "mlflow_resource_arn": None, "mlflow_experiment_name": "agent-eval",
    "eval_group_size": None, "sampling_temperature": None, "top_p": None, "max_tokens": None,
    "pass_k_values": None, "success_threshold": None, "stopping_condition": 3600,
    "model_package_group_arn": None, "source_model_package_arn": None,
    "action_arn_prefix": "arn:aws:sagemaker:us-east-1:111122223333:action", "dataset_artifact_arn": None,
    "kms_key_arn": key, "vpc_config": False, "vpc_security_group_ids": [], "vpc_subnets": [], "tags": None,
    "job_config_document_str": json.dumps(document), "job_config_document_ft_str": json.dumps(document),
}
definition = BaseEvaluator._render_pipeline_definition(MTRL_TEMPLATE_BASE_MODEL_ONLY, context)
with open(sys.argv[1], "w") as f:
    f.write(definition if isinstance(definition, str) else json.dumps(definition))
