"""Writes the definition of a small pipeline (a processing and a training step) as the
SageMaker Python SDK 2 builds it, to the path given. The SDK applies its configuration files
(SAGEMAKER_ADMIN_CONFIG_OVERRIDE, SAGEMAKER_USER_CONFIG_OVERRIDE) as it would for a user;
nothing is sent to AWS (the bucket is given, the code is already in S3)."""

import sys

import boto3
from sagemaker import image_uris
from sagemaker.estimator import Estimator
from sagemaker.processing import ProcessingOutput, ScriptProcessor
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.pipeline_context import PipelineSession
from sagemaker.workflow.steps import ProcessingStep, TrainingStep

session = PipelineSession(boto_session=boto3.Session(region_name="us-east-1"),
                          default_bucket="ml-artifacts")
role = "arn:aws:iam::111122223333:role/ml-pipelines"
image = image_uris.retrieve("xgboost", "us-east-1", "1.7-1")
estimator = Estimator(image_uri=image, role=role, instance_count=1, instance_type="ml.m5.xlarge",
                      sagemaker_session=session, output_path="s3://ml-artifacts/models")
processor = ScriptProcessor(image_uri=image, command=["python3"], role=role, instance_count=1,
                            instance_type="ml.c5.xlarge", sagemaker_session=session)
steps = [
    ProcessingStep(name="Prepare", step_args=processor.run(
        code="s3://ml-code/prep.py",
        outputs=[ProcessingOutput(source="/opt/ml/processing/out", destination="s3://ml-data/out")])),
    TrainingStep(name="Train", step_args=estimator.fit({"train": "s3://ml-data/train"})),
]
with open(sys.argv[1], "w") as f:
    f.write(Pipeline(name="sdk2-churn", steps=steps, sagemaker_session=session).definition())
