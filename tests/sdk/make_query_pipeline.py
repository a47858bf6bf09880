"""Writes, as the SageMaker Python SDK 2 builds it, the definition of a pipeline whose processing
step reads two inputs that queries make: an Athena query whose results are written under a key
given as a pipeline parameter, and a Redshift query that names no key. Nothing is sent to AWS."""

import sys

import boto3
from sagemaker import image_uris
from sagemaker.dataset_definition.inputs import (AthenaDatasetDefinition, DatasetDefinition,
                                                 RedshiftDatasetDefinition)
from sagemaker.processing import ProcessingInput, ProcessingOutput, ScriptProcessor
from sagemaker.workflow.parameters import ParameterString
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.pipeline_context import PipelineSession
from sagemaker.workflow.steps import ProcessingStep

session = PipelineSession(boto_session=boto3.Session(region_name="us-east-1"),
                          default_bucket="ml-artifacts")
role = "arn:aws:iam::111122223333:role/ml-pipelines"
key = ParameterString(name="QueryKey", default_value="arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
image = image_uris.retrieve("sklearn", "us-east-1", "1.2-1")
processor = ScriptProcessor(image_uri=image, command=["python3"], role=role, instance_count=1,
                            instance_type="ml.c5.xlarge", sagemaker_session=session,
                            volume_kms_key="alias/ml-volumes", output_kms_key="alias/ml-outputs")
athena = DatasetDefinition(
    local_path="/opt/ml/processing/sales", data_distribution_type="FullyReplicated", input_mode="File",
    athena_dataset_definition=AthenaDatasetDefinition(
        catalog="AwsDataCatalog", database="sales", query_string="SELECT * FROM orders",
        output_s3_uri="s3://ml-data/athena/", output_format="PARQUET", kms_key_id=key))
redshift = DatasetDefinition(
    local_path="/opt/ml/processing/crm", data_distribution_type="FullyReplicated", input_mode="File",
    redshift_dataset_definition=RedshiftDatasetDefinition(
        cluster_id="analytics", database="crm", db_user="ml", query_string="SELECT * FROM customers",
        cluster_role_arn=role, output_s3_uri="s3://ml-data/redshift/", output_format="PARQUET"))
step = ProcessingStep(name="Features", step_args=processor.run(
    code="s3://ml-code/features.py",
    inputs=[ProcessingInput(input_name="sales", dataset_definition=athena),
            ProcessingInput(input_name="crm", dataset_definition=redshift)],
    outputs=[ProcessingOutput(source="/opt/ml/processing/out", destination="s3://ml-data/out")]))
with open(sys.argv[1], "w") as f:
    f.write(Pipeline(name="sdk2-queries", parameters=[key], steps=[step], sagemaker_session=session).definition())
