"""Writes, to the path given, the definition of a pipeline that registers a model in a model
package group (`ModelStep` over `Model.register()`), as the SageMaker Python SDK 2 builds it: a
`RegisterModel` step whose arguments are a CreateModelPackage request. Nothing is sent to AWS."""

import sys

import boto3
from sagemaker import image_uris
from sagemaker.model import Model
from sagemaker.workflow.model_step import ModelStep
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.pipeline_context import PipelineSession

session = PipelineSession(boto_session=boto3.Session(region_name="us-east-1"), default_bucket="ml-artifacts")
role = "arn:aws:iam::111122223333:role/ml-pipelines"
image = image_uris.retrieve("xgboost", "us-east-1", "1.7-1")
model = Model(image_uri=image, model_data="s3://ml-artifacts/models/churn/model.tar.gz", role=role, sagemaker_session=session)
step = ModelStep(name="RegisterChurn", step_args=model.register(
    content_types=["text/csv"], response_types=["text/csv"],
    inference_instances=["ml.m5.xlarge"], transform_instances=["ml.m5.xlarge"],
    model_package_group_name="churn-models", approval_status="PendingManualApproval"))
with open(sys.argv[1], "w") as f:
    f.write(Pipeline(name="sdk2-register", steps=[step], sagemaker_session=session).definition())
