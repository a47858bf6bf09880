"""Writes the definition of a pipeline as the SageMaker Python SDK 3 builds it: a training step
with ModelTrainer (output key `alias/ml-platform`, no volume key), an EndpointConfig step whose
code names no key, and a ForEach step whose body trains once per region without keys. Nothing is sent to AWS: the bucket is given and the role
is not validated (SAGEMAKER_VALIDATE_ROLE=false, which the SDK documents for this)."""

import sys

import boto3
from sagemaker.core.training.configs import Compute, InputData, OutputDataConfig
from sagemaker.core.workflow.pipeline_context import PipelineSession
from sagemaker.mlops.workflow.endpoint_step import EndpointConfigStep
from sagemaker.mlops.workflow.for_each_step import ForEachStep
from sagemaker.mlops.workflow.pipeline import Pipeline
from sagemaker.mlops.workflow.steps import TrainingStep
from sagemaker.train.model_trainer import ModelTrainer

session = PipelineSession(boto_session=boto3.Session(region_name="us-east-1"),
                          default_bucket="ml-artifacts")
ROLE = "arn:aws:iam::111122223333:role/ml-pipelines"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"


def train(key):
    trainer = ModelTrainer(
        training_image=IMAGE, role=ROLE, sagemaker_session=session, base_job_name="churn",
        compute=Compute(instance_type="ml.m5.xlarge", instance_count=1, volume_size_in_gb=30),
        output_data_config=OutputDataConfig(s3_output_path="s3://ml-artifacts/models", kms_key_id=key))
    return trainer.train(input_data_config=[InputData(channel_name="train", data_source="s3://ml-data/train")],
                         wait=False)


# An endpoint configuration whose code names no key: an m5 variant, data capture to S3.
endpoint_config = session.create_endpoint_config(
    name="churn-realtime",
    production_variants=[{"VariantName": "AllTraffic", "ModelName": "churn", "InstanceType": "ml.m5.large",
                          "InitialInstanceCount": 1}],
    data_capture_config_dict={"EnableCapture": True, "InitialSamplingPercentage": 20,
                              "DestinationS3Uri": "s3://ml-capture/churn/",
                              "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}]})

steps = [
    TrainingStep(name="TrainGlobal", step_args=train("alias/ml-platform")),
    EndpointConfigStep(name="MakeEndpointConfig", step_args=endpoint_config),
    ForEachStep(name="PerRegion", iterable_items=["us", "eu"], max_concurrency=2,
                for_each_body=[TrainingStep(name="TrainRegion", step_args=train(None))]),
]
with open(sys.argv[1], "w") as f:
    f.write(Pipeline(name="sdk3-churn", steps=steps, sagemaker_session=session).definition())
