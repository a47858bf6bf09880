"""A fault-injecting HTTP proxy in front of the moto server.

moto cannot throttle, fail one call persistently, deny access, or describe an AWS-managed
key, moto 5.2.1 leaves ProcessingResources out of DescribeProcessingJob, and it has no model
customization jobs (ListJobs, DescribeJob), Studio user profiles (CreateUserProfile,
ListUserProfiles, DescribeUserProfile) nor inference experiments (Create, List and
DescribeInferenceExperiment) nor monitoring schedules (Create, List and DescribeMonitoringSchedule) nor
labeling jobs (Create, List and DescribeLabelingJob) nor optimization jobs (Create, List and
DescribeOptimizationJob) nor human review flow definitions (Create, List and DescribeFlowDefinition) nor edge packaging jobs (Create, List and
DescribeEdgePackagingJob) nor device fleets (Create, List and DescribeDeviceFleet); moto 5.2.1 leaves a model package
version's ModelPackageName and every SecurityConfig out and cannot list versioned packages, so the
proxy keeps model packages (Create, List and DescribeModelPackage) itself, and algorithms (Create,
List and DescribeAlgorithm) and MLflow Apps (Create, List and DescribeMlflowApp) and Partner AI Apps (Create, List
and DescribePartnerApp), training sessions (Create, List and DescribeTrainingSession) and Inference
Recommender jobs (Create, List and DescribeInferenceRecommendationsJob), which moto lacks: the proxy answers those from jobs a test gives it and from the
profiles and experiments boto3 or the AWS CLI create through it; moto keeps feature groups without
their OnlineStoreConfig and cannot list them, so the proxy adds back what was sent and lists them. This proxy
forwards every request to moto unchanged and, when a rule matches, answers instead with the
error or body AWS would send (or adds back what moto left out). Rules match on the JSON-protocol operation
(`X-Amz-Target`), the region in the SigV4 credential scope, and the request body.
"""

import http.client
import json
import random
import re
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Faults:
    """What the proxy should do; tests change it between runs."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with getattr(self, "lock", threading.Lock()):
            self.throttle_ratio = 0.0
            self.rng = random.Random(7)
            self.fail_describe = set()      # job names: persistent HTTP 500
            self.gone = set()               # job names: ValidationException not found
            self.deny_list_regions = set()  # AccessDenied on ListTrainingJobs
            self.deny_lists = set()         # (List operation, region): AccessDenied
            self.disabled_regions = set()   # UnrecognizedClientException (opt-in region off)
            self.empty_first_page = False   # an empty page that still carries a NextToken
            self.key_overrides = {}         # DescribeKey KeyId -> KeyMetadata fields
            self.processing_resources = {}  # ProcessingJobName -> the ProcessingResources created
            self.deny_keys = set()          # DescribeKey KeyId -> AccessDenied
            self.calls = []                 # (operation, region) of every request
            self.described_keys = []        # KeyId of every DescribeKey request
            self.list_params = []           # body of every ListTrainingJobs request
            self.list_requests = []         # (operation, body) of every List request
            self.access_keys = set()        # access key ids that signed requests
            self.throttled = 0
            self.deny_assume = set()        # account ids: AccessDenied on sts:AssumeRole into them
            self.short_sessions = {}        # account id -> seconds its assumed credentials last
            self.assumed = []               # (RoleArn, RoleSessionName, ExternalId) of every AssumeRole
            self.latency = 0.0              # seconds added before answering each request
            self.customization_jobs = {}    # JobName -> DescribeJob response (moto has no ListJobs)
            self.user_profiles = {}         # (region, DomainId, name) -> DescribeUserProfile response
            self.feature_groups = {}        # (region, name) -> summary and the OnlineStoreConfig sent
            self.inference_experiments = {}  # (region, Name) -> DescribeInferenceExperiment response
            self.monitoring_schedules = {}  # (region, name) -> DescribeMonitoringSchedule response
            self.labeling_jobs = {}         # (region, name) -> DescribeLabelingJob response
            self.optimization_jobs = {}     # (region, name) -> DescribeOptimizationJob response
            self.flow_definitions = {}      # (region, name) -> DescribeFlowDefinition response
            self.edge_packaging_jobs = {}   # (region, name) -> DescribeEdgePackagingJob response
            self.device_fleets = {}         # (region, name) -> DescribeDeviceFleet response
            self.model_packages = {}        # (region, ARN) -> DescribeModelPackage response
            self.algorithms = {}            # (region, name) -> DescribeAlgorithm response
            self.mlflow_apps = {}           # (region, ARN) -> DescribeMlflowApp response
            self.partner_apps = {}          # (region, ARN) -> DescribePartnerApp response
            self.training_sessions = {}     # (region, name) -> DescribeTrainingSession response
            self.recommendation_jobs = {}   # (region, name) -> DescribeInferenceRecommendationsJob response


def _sts_error(code, message):
    """An error as the query protocol (STS) sends it."""
    body = (f'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
            f'<Code>{code}</Code><Message>{message}</Message></Error><RequestId>proxy</RequestId></ErrorResponse>').encode()
    return 403, {"Content-Type": "text/xml"}, body


def _error(status, code, message):
    body = json.dumps({"__type": code, "message": message}).encode()
    return status, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code}, body


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        target = self.headers.get("X-Amz-Target", "")
        operation = target.split(".")[-1]
        match = re.search(r"Credential=[^/]+/\d+/([^/]+)/", self.headers.get("Authorization", ""))
        region = match.group(1) if match else ""
        faults = self.server.faults
        with faults.lock:
            faults.calls.append((operation, region))
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            params = {}
        signer = re.search(r"Credential=([^/]+)/", self.headers.get("Authorization", ""))
        with faults.lock:
            if signer:
                faults.access_keys.add(signer.group(1))
            if operation == "DescribeKey":
                faults.described_keys.append(params.get("KeyId"))
            if operation == "ListTrainingJobs":
                faults.list_params.append(params)
            if operation.startswith("List"):
                faults.list_requests.append((operation, params))
        if faults.latency:
            time.sleep(faults.latency)
        form = {}
        if "x-www-form-urlencoded" in self.headers.get("Content-Type", ""):
            form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode("utf-8", "replace")).items()}
        if form.get("Action") == "AssumeRole":
            role = form.get("RoleArn", "")
            with faults.lock:
                faults.assumed.append((role, form.get("RoleSessionName"), form.get("ExternalId")))
            account = role.split(":")[4] if role.count(":") >= 5 else ""
            if account in faults.deny_assume:
                self.answer(_sts_error("AccessDenied", f"User is not authorized to perform: sts:AssumeRole on resource: {role}"))
                return
            if account in faults.short_sessions:
                # Credentials that expire soon, so a long scan has to renew them.
                status, headers, payload = self.forward(body)
                soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + faults.short_sessions[account]))
                payload = re.sub(rb"<Expiration>[^<]*</Expiration>", f"<Expiration>{soon}</Expiration>".encode(), payload)
                self.answer((status, headers, payload))
                return
        answer = self.fault(faults, operation, region, params)
        if answer is None:
            answer = self.fake(faults, operation, region, params)
        if answer is None:
            answer = self.forward(body)
            answer = self.rewrite(faults, operation, region, params, answer)
        self.answer(answer)

    def answer(self, answer):
        status, headers, payload = answer
        self.send_response(status)
        for k, v in headers.items():
            if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST

    def fake(self, f, operation, region, params):
        """ListJobs and DescribeJob, which moto 5.2.1 does not implement, answered from the jobs a
        test created (`customization_jobs`), as AWS would: one category per ListJobs call. User
        profiles, which it lacks too, are kept as created and answered in botocore's shapes
        (ListUserProfiles summaries carry no ARN; one page of at most MaxResults)."""
        ok = {"Content-Type": "application/x-amz-json-1.1"}
        if operation == "CreateUserProfile":
            domain, name = params.get("DomainId", ""), params.get("UserProfileName", "")
            arn = f"arn:aws:sagemaker:{region}:123456789012:user-profile/{domain}/{name}"
            now = time.time()
            with f.lock:
                f.user_profiles[(region, domain, name)] = {
                    "DomainId": domain, "UserProfileArn": arn, "UserProfileName": name,
                    "HomeEfsFileSystemUid": str(200000 + len(f.user_profiles)), "Status": "InService",
                    "CreationTime": now, "LastModifiedTime": now,
                    **({"UserSettings": params["UserSettings"]} if "UserSettings" in params else {})}
            return 200, ok, json.dumps({"UserProfileArn": arn}).encode()
        if operation == "ListUserProfiles":
            mine = sorted((p for (r, _, _), p in f.user_profiles.items() if r == region),
                          key=lambda p: (p["DomainId"], p["UserProfileName"]))
            start = int(params.get("NextToken") or 0)
            size = params.get("MaxResults", 10)
            page = [{k: p[k] for k in ("DomainId", "UserProfileName", "Status", "CreationTime", "LastModifiedTime")}
                    for p in mine[start:start + size]]
            body = {"UserProfiles": page}
            if start + size < len(mine):
                body["NextToken"] = str(start + size)
            return 200, ok, json.dumps(body).encode()
        if operation == "CreateInferenceExperiment":
            name = params.get("Name", "")
            arn = f"arn:aws:sagemaker:{region}:123456789012:inference-experiment/{name}"
            now = time.time()
            doc = {"Arn": arn, "Name": name, "Type": params.get("Type"), "Status": "Running",
                   "CreationTime": now, "LastModifiedTime": now, "RoleArn": params.get("RoleArn"),
                   "EndpointMetadata": {"EndpointName": params.get("EndpointName"), "EndpointStatus": "InService"},
                   "ModelVariants": [{**v, "Status": "InService"} for v in params.get("ModelVariants", [])],
                   "ShadowModeConfig": params.get("ShadowModeConfig")}
            for optional in ("DataStorageConfig", "KmsKey", "Schedule", "Description"):
                if optional in params:
                    doc[optional] = params[optional]
            with f.lock:
                f.inference_experiments[(region, name)] = doc
            return 200, ok, json.dumps({"InferenceExperimentArn": arn}).encode()
        if operation == "ListInferenceExperiments":
            # Summaries carry no ARN, as botocore's InferenceExperimentSummary has none.
            found = [{k: e[k] for k in ("Name", "Type", "Status", "CreationTime", "LastModifiedTime", "RoleArn")}
                     for (r, _), e in sorted(f.inference_experiments.items()) if r == region
                     and params.get("StatusEquals") in (None, e["Status"])
                     and e["CreationTime"] > params.get("CreationTimeAfter", 0)]
            return 200, ok, json.dumps({"InferenceExperiments": found}).encode()
        if operation == "DescribeInferenceExperiment":
            doc = f.inference_experiments.get((region, params.get("Name")))
            if doc is None:
                return _error(400, "ResourceNotFound", f"Inference experiment {params.get('Name')} not found")
            return 200, ok, json.dumps(doc).encode()
        if operation == "CreateMonitoringSchedule":
            name = params.get("MonitoringScheduleName", "")
            arn = f"arn:aws:sagemaker:{region}:123456789012:monitoring-schedule/{name}"
            now = time.time()
            config = params.get("MonitoringScheduleConfig", {})
            with f.lock:
                f.monitoring_schedules[(region, name)] = {
                    "MonitoringScheduleArn": arn, "MonitoringScheduleName": name,
                    "MonitoringScheduleStatus": "Scheduled", "MonitoringType": config.get("MonitoringType", "DataQuality"),
                    "CreationTime": now, "LastModifiedTime": now, "MonitoringScheduleConfig": config}
            return 200, ok, json.dumps({"MonitoringScheduleArn": arn}).encode()
        if operation == "ListMonitoringSchedules":
            found = [{k: m[k] for k in ("MonitoringScheduleName", "MonitoringScheduleArn", "CreationTime",
                                        "LastModifiedTime", "MonitoringScheduleStatus", "MonitoringType")}
                     for (r, _), m in sorted(f.monitoring_schedules.items()) if r == region
                     and params.get("StatusEquals") in (None, m["MonitoringScheduleStatus"])
                     and m["CreationTime"] > params.get("CreationTimeAfter", 0)]
            return 200, ok, json.dumps({"MonitoringScheduleSummaries": found}).encode()
        if operation == "DescribeMonitoringSchedule":
            doc = f.monitoring_schedules.get((region, params.get("MonitoringScheduleName")))
            if doc is None:
                return _error(400, "ResourceNotFound", f"Monitoring schedule {params.get('MonitoringScheduleName')} not found")
            return 200, ok, json.dumps(doc).encode()
        if operation == "CreateLabelingJob":
            name = params.get("LabelingJobName", "")
            arn = f"arn:aws:sagemaker:{region}:123456789012:labeling-job/{name}"
            now = time.time()
            doc = {"LabelingJobName": name, "LabelingJobArn": arn, "LabelingJobStatus": "InProgress",
                   "LabelCounters": {"TotalLabeled": 0, "HumanLabeled": 0, "MachineLabeled": 0,
                                     "FailedNonRetryableError": 0, "Unlabeled": 0},
                   "CreationTime": now, "LastModifiedTime": now, "JobReferenceCode": "proxy"}
            for member in ("LabelAttributeName", "InputConfig", "OutputConfig", "RoleArn", "LabelCategoryConfigS3Uri",
                           "StoppingConditions", "LabelingJobAlgorithmsConfig", "HumanTaskConfig"):
                if member in params:
                    doc[member] = params[member]
            with f.lock:
                f.labeling_jobs[(region, name)] = doc
            return 200, ok, json.dumps({"LabelingJobArn": arn}).encode()
        if operation == "ListLabelingJobs":
            found = [{k: j[k] for k in ("LabelingJobName", "LabelingJobArn", "CreationTime", "LastModifiedTime",
                                        "LabelingJobStatus", "LabelCounters")}
                     for (r, _), j in sorted(f.labeling_jobs.items()) if r == region
                     and params.get("StatusEquals") in (None, j["LabelingJobStatus"])
                     and j["CreationTime"] > params.get("CreationTimeAfter", 0)]
            return 200, ok, json.dumps({"LabelingJobSummaryList": found}).encode()
        if operation == "DescribeLabelingJob":
            doc = f.labeling_jobs.get((region, params.get("LabelingJobName")))
            if doc is None:
                return _error(400, "ResourceNotFound", f"Labeling job {params.get('LabelingJobName')} not found")
            return 200, ok, json.dumps(doc).encode()
        if operation == "CreateOptimizationJob":
            name = params.get("OptimizationJobName", "")
            arn = f"arn:aws:sagemaker:{region}:123456789012:optimization-job/{name}"
            now = time.time()
            doc = {"OptimizationJobName": name, "OptimizationJobArn": arn, "OptimizationJobStatus": "INPROGRESS",
                   "CreationTime": now, "LastModifiedTime": now}
            for member in ("ModelSource", "DeploymentInstanceType", "MaxInstanceCount", "OptimizationEnvironment",
                           "OptimizationConfigs", "OutputConfig", "RoleArn", "StoppingCondition", "VpcConfig"):
                if member in params:
                    doc[member] = params[member]
            with f.lock:
                f.optimization_jobs[(region, name)] = doc
            return 200, ok, json.dumps({"OptimizationJobArn": arn}).encode()
        if operation == "ListOptimizationJobs":
            found = [{k: j[k] for k in ("OptimizationJobName", "OptimizationJobArn", "CreationTime", "LastModifiedTime",
                                        "OptimizationJobStatus", "DeploymentInstanceType")}
                     | {"OptimizationTypes": [next(iter(c)) for c in j.get("OptimizationConfigs", [])]}
                     for (r, _), j in sorted(f.optimization_jobs.items()) if r == region
                     and params.get("StatusEquals") in (None, j["OptimizationJobStatus"])
                     and j["CreationTime"] > params.get("CreationTimeAfter", 0)]
            return 200, ok, json.dumps({"OptimizationJobSummaries": found}).encode()
        if operation == "DescribeOptimizationJob":
            doc = f.optimization_jobs.get((region, params.get("OptimizationJobName")))
            if doc is None:
                return _error(400, "ResourceNotFound", f"Optimization job {params.get('OptimizationJobName')} not found")
            return 200, ok, json.dumps(doc).encode()
        if operation == "CreateFlowDefinition":
            name = params.get("FlowDefinitionName", "")
            arn = f"arn:aws:sagemaker:{region}:123456789012:flow-definition/{name}"
            doc = {"FlowDefinitionName": name, "FlowDefinitionArn": arn, "FlowDefinitionStatus": "Active",
                   "CreationTime": time.time()}
            for member in ("HumanLoopRequestSource", "HumanLoopActivationConfig", "HumanLoopConfig", "OutputConfig",
                           "RoleArn"):
                if member in params:
                    doc[member] = params[member]
            with f.lock:
                f.flow_definitions[(region, name)] = doc
            return 200, ok, json.dumps({"FlowDefinitionArn": arn}).encode()
        if operation == "ListFlowDefinitions":
            found = [{k: d[k] for k in ("FlowDefinitionName", "FlowDefinitionArn", "FlowDefinitionStatus", "CreationTime")}
                     for (r, _), d in sorted(f.flow_definitions.items()) if r == region
                     and d["CreationTime"] > params.get("CreationTimeAfter", 0)]
            return 200, ok, json.dumps({"FlowDefinitionSummaries": found}).encode()
        if operation == "DescribeFlowDefinition":
            doc = f.flow_definitions.get((region, params.get("FlowDefinitionName")))
            if doc is None:
                return _error(400, "ResourceNotFound", f"Flow definition {params.get('FlowDefinitionName')} not found")
            return 200, ok, json.dumps(doc).encode()
        if operation == "CreateEdgePackagingJob":
            name = params.get("EdgePackagingJobName", "")
            arn = f"arn:aws:sagemaker:{region}:123456789012:edge-packaging-job/{name}"
            now = time.time()
            doc = {"EdgePackagingJobName": name, "EdgePackagingJobArn": arn, "EdgePackagingJobStatus": "STARTING",
                   "CreationTime": now, "LastModifiedTime": now}
            for member in ("CompilationJobName", "ModelName", "ModelVersion", "RoleArn", "OutputConfig", "ResourceKey"):
                if member in params:
                    doc[member] = params[member]
            with f.lock:
                f.edge_packaging_jobs[(region, name)] = doc
            return 200, ok, b"{}"
        if operation == "ListEdgePackagingJobs":
            found = [{k: j[k] for k in ("EdgePackagingJobArn", "EdgePackagingJobName", "EdgePackagingJobStatus",
                                        "CompilationJobName", "ModelName", "ModelVersion", "CreationTime",
                                        "LastModifiedTime") if k in j}
                     for (r, _), j in sorted(f.edge_packaging_jobs.items()) if r == region
                     and params.get("StatusEquals") in (None, j["EdgePackagingJobStatus"])
                     and j["CreationTime"] > params.get("CreationTimeAfter", 0)]
            return 200, ok, json.dumps({"EdgePackagingJobSummaries": found}).encode()
        if operation == "DescribeEdgePackagingJob":
            doc = f.edge_packaging_jobs.get((region, params.get("EdgePackagingJobName")))
            if doc is None:
                return _error(400, "ResourceNotFound", f"Edge packaging job {params.get('EdgePackagingJobName')} not found")
            return 200, ok, json.dumps(doc).encode()
        if operation == "CreateDeviceFleet":
            name = params.get("DeviceFleetName", "")
            arn = f"arn:aws:sagemaker:{region}:123456789012:device-fleet/{name}"
            now = time.time()
            doc = {"DeviceFleetName": name, "DeviceFleetArn": arn, "CreationTime": now, "LastModifiedTime": now}
            for member in ("OutputConfig", "Description", "RoleArn"):
                if member in params:
                    doc[member] = params[member]
            with f.lock:
                f.device_fleets[(region, name)] = doc
            return 200, ok, b"{}"
        if operation == "ListDeviceFleets":
            found = [{k: d[k] for k in ("DeviceFleetArn", "DeviceFleetName", "CreationTime", "LastModifiedTime")}
                     for (r, _), d in sorted(f.device_fleets.items()) if r == region
                     and d["CreationTime"] > params.get("CreationTimeAfter", 0)]
            return 200, ok, json.dumps({"DeviceFleetSummaries": found}).encode()
        if operation == "DescribeDeviceFleet":
            doc = f.device_fleets.get((region, params.get("DeviceFleetName")))
            if doc is None:
                return _error(400, "ResourceNotFound", f"Device fleet {params.get('DeviceFleetName')} not found")
            return 200, ok, json.dumps(doc).encode()
        if operation == "CreateModelPackage":
            group = params.get("ModelPackageGroupName")
            now = time.time()
            with f.lock:
                if group:
                    version = 1 + sum(1 for (r, _), p in f.model_packages.items()
                                      if r == region and p.get("ModelPackageGroupName") == group)
                    arn = f"arn:aws:sagemaker:{region}:123456789012:model-package/{group}/{version}"
                    doc = {"ModelPackageName": group, "ModelPackageGroupName": group, "ModelPackageVersion": version}
                else:
                    name = params.get("ModelPackageName", "")
                    arn = f"arn:aws:sagemaker:{region}:123456789012:model-package/{name}"
                    doc = {"ModelPackageName": name}
                doc.update({"ModelPackageArn": arn, "CreationTime": now, "LastModifiedTime": now,
                            "ModelPackageStatus": "Completed",
                            "ModelPackageStatusDetails": {"ValidationStatuses": [], "ImageScanStatuses": []}})
                for member in ("InferenceSpecification", "ValidationSpecification", "SecurityConfig",
                               "ModelApprovalStatus", "ModelPackageDescription", "CertifyForMarketplace"):
                    if member in params:
                        doc[member] = params[member]
                f.model_packages[(region, arn)] = doc
            return 200, ok, json.dumps({"ModelPackageArn": arn}).encode()
        if operation == "ListModelPackages":
            kind = params.get("ModelPackageType", "Unversioned")
            found = [{k: p[k] for k in ("ModelPackageName", "ModelPackageGroupName", "ModelPackageVersion",
                                        "ModelPackageArn", "CreationTime", "ModelPackageStatus") if k in p}
                     for (r, _), p in sorted(f.model_packages.items()) if r == region
                     and (kind == "Both" or (kind == "Versioned") == ("ModelPackageVersion" in p))
                     and p["CreationTime"] > params.get("CreationTimeAfter", 0)]
            return 200, ok, json.dumps({"ModelPackageSummaryList": found}).encode()
        if operation == "DescribeModelPackage":
            wanted = params.get("ModelPackageName", "")
            doc = f.model_packages.get((region, wanted)) or next(
                (p for (r, _), p in f.model_packages.items()
                 if r == region and "ModelPackageVersion" not in p and p["ModelPackageName"] == wanted), None)
            if doc is None:
                return _error(400, "ValidationException", f"Model package {wanted} not found")
            return 200, ok, json.dumps(doc).encode()
        if operation == "CreateAlgorithm":
            name = params.get("AlgorithmName", "")
            arn = f"arn:aws:sagemaker:{region}:123456789012:algorithm/{name}"
            doc = {"AlgorithmName": name, "AlgorithmArn": arn, "CreationTime": time.time(),
                   "AlgorithmStatus": "Completed",
                   "AlgorithmStatusDetails": {"ValidationStatuses": [], "ImageScanStatuses": []}}
            for member in ("AlgorithmDescription", "TrainingSpecification", "InferenceSpecification",
                           "ValidationSpecification", "CertifyForMarketplace"):
                if member in params:
                    doc[member] = params[member]
            with f.lock:
                f.algorithms[(region, name)] = doc
            return 200, ok, json.dumps({"AlgorithmArn": arn}).encode()
        if operation == "ListAlgorithms":
            found = [{k: a[k] for k in ("AlgorithmName", "AlgorithmArn", "CreationTime", "AlgorithmStatus")}
                     for (r, _), a in sorted(f.algorithms.items()) if r == region
                     and a["CreationTime"] > params.get("CreationTimeAfter", 0)]
            return 200, ok, json.dumps({"AlgorithmSummaryList": found}).encode()
        if operation == "DescribeAlgorithm":
            doc = f.algorithms.get((region, params.get("AlgorithmName")))
            if doc is None:
                return _error(400, "ValidationException", f"Algorithm {params.get('AlgorithmName')} not found")
            return 200, ok, json.dumps(doc).encode()
        if operation == "CreateMlflowApp":
            name = params.get("Name", "")
            with f.lock:
                arn = f"arn:aws:sagemaker:{region}:123456789012:mlflow-app/app-{len(f.mlflow_apps):012d}"
                now = time.time()
                doc = {"Arn": arn, "Name": name, "Status": "Created", "CreationTime": now, "LastModifiedTime": now}
                for member in ("ArtifactStoreUri", "RoleArn", "KmsKeyId", "ModelRegistrationMode"):
                    if member in params:
                        doc[member] = params[member]
                f.mlflow_apps[(region, arn)] = doc
            return 200, ok, json.dumps({"Arn": arn}).encode()
        if operation == "ListMlflowApps":
            found = [{k: a[k] for k in ("Arn", "Name", "Status", "CreationTime", "LastModifiedTime")}
                     for (r, _), a in sorted(f.mlflow_apps.items()) if r == region
                     and params.get("Status") in (None, a["Status"])
                     and a["CreationTime"] > params.get("CreatedAfter", 0)]
            return 200, ok, json.dumps({"Summaries": found}).encode()
        if operation == "DescribeMlflowApp":
            doc = f.mlflow_apps.get((region, params.get("Arn")))
            if doc is None:
                return _error(400, "ResourceNotFound", f"MLflow App {params.get('Arn')} not found")
            return 200, ok, json.dumps(doc).encode()
        if operation == "CreatePartnerApp":
            with f.lock:
                arn = f"arn:aws:sagemaker:{region}:123456789012:partner-app/app-{len(f.partner_apps):012X}"
                now = time.time()
                doc = {"Arn": arn, "Status": "Available", "CreationTime": now, "LastModifiedTime": now}
                for member in ("Name", "Type", "ExecutionRoleArn", "KmsKeyId", "Tier", "AuthType", "ApplicationConfig"):
                    if member in params:
                        doc[member] = params[member]
                f.partner_apps[(region, arn)] = doc
            return 200, ok, json.dumps({"Arn": arn}).encode()
        if operation == "ListPartnerApps":
            found = [{k: a[k] for k in ("Arn", "Name", "Type", "Status", "CreationTime")}
                     for (r, _), a in sorted(f.partner_apps.items()) if r == region]
            return 200, ok, json.dumps({"Summaries": found}).encode()
        if operation == "DescribePartnerApp":
            doc = f.partner_apps.get((region, params.get("Arn")))
            if doc is None:
                return _error(400, "ResourceNotFound", f"Partner app {params.get('Arn')} not found")
            return 200, ok, json.dumps(doc).encode()
        if operation == "CreateTrainingSession":
            name = params.get("TrainingSessionName", "")
            arn = f"arn:aws:sagemaker:{region}:123456789012:training-session/{name}"
            now = time.time()
            detail = {"TrainingSessionArn": arn, "TrainingSessionName": name, "TrainingSessionStatus": "Running",
                      "CreationTime": now, "LastModifiedTime": now}
            for member in ("ModelPackageGroupArn", "LoraConfig", "RoleArn", "ModelConfig", "OutputConfig"):
                if member in params:
                    detail[member] = params[member]
            with f.lock:
                f.training_sessions[(region, name)] = {"TrainingSessionDetail": detail}
            return 200, ok, json.dumps({"TrainingSessionArn": arn}).encode()
        if operation == "ListTrainingSessions":
            found = [{k: d["TrainingSessionDetail"][k] for k in ("TrainingSessionArn", "TrainingSessionStatus",
                                                                  "CreationTime", "LastModifiedTime")}
                     for (r, _), d in sorted(f.training_sessions.items()) if r == region
                     and params.get("StatusEquals") in (None, d["TrainingSessionDetail"]["TrainingSessionStatus"])
                     and d["TrainingSessionDetail"]["CreationTime"] > params.get("CreationTimeAfter", 0)]
            return 200, ok, json.dumps({"TrainingSessionSummaries": found}).encode()
        if operation == "DescribeTrainingSession":
            doc = f.training_sessions.get((region, params.get("TrainingSessionName")))
            if doc is None:
                return _error(400, "ResourceNotFound", f"Training session {params.get('TrainingSessionName')} not found")
            return 200, ok, json.dumps(doc).encode()
        if operation == "CreateInferenceRecommendationsJob":
            name = params.get("JobName", "")
            arn = f"arn:aws:sagemaker:{region}:123456789012:inference-recommendations-job/{name}"
            now = time.time()
            # The response has no OutputConfig: the request's is dropped, as SageMaker does.
            doc = {"JobName": name, "JobArn": arn, "JobType": params.get("JobType"), "RoleArn": params.get("RoleArn"),
                   "Status": "IN_PROGRESS", "CreationTime": now, "LastModifiedTime": now,
                   "InputConfig": params.get("InputConfig", {})}
            for member in ("JobDescription", "StoppingConditions"):
                if member in params:
                    doc[member] = params[member]
            with f.lock:
                f.recommendation_jobs[(region, name)] = doc
            return 200, ok, json.dumps({"JobArn": arn}).encode()
        if operation == "ListInferenceRecommendationsJobs":
            found = [{k: j[k] for k in ("JobName", "JobType", "JobArn", "Status", "CreationTime", "RoleArn")}
                     for (r, _), j in sorted(f.recommendation_jobs.items()) if r == region
                     and params.get("StatusEquals") in (None, j["Status"])
                     and j["CreationTime"] > params.get("CreationTimeAfter", 0)]
            return 200, ok, json.dumps({"InferenceRecommendationsJobs": found}).encode()
        if operation == "DescribeInferenceRecommendationsJob":
            doc = f.recommendation_jobs.get((region, params.get("JobName")))
            if doc is None:
                return _error(400, "ResourceNotFound", f"Inference recommendations job {params.get('JobName')} not found")
            return 200, ok, json.dumps(doc).encode()
        if operation == "ListFeatureGroups":
            groups = [{k: g[k] for k in ("FeatureGroupName", "FeatureGroupArn", "CreationTime", "FeatureGroupStatus")}
                      for (r, _), g in sorted(f.feature_groups.items()) if r == region
                      and params.get("FeatureGroupStatusEquals") in (None, g["FeatureGroupStatus"])
                      and g["CreationTime"] > params.get("CreationTimeAfter", 0)]
            return 200, ok, json.dumps({"FeatureGroupSummaries": groups}).encode()
        if operation == "DescribeUserProfile":
            profile = f.user_profiles.get((region, params.get("DomainId"), params.get("UserProfileName")))
            if profile is None:
                return _error(400, "ResourceNotFound", f"User profile {params.get('UserProfileName')} not found")
            return 200, ok, json.dumps(profile).encode()
        if operation == "ListJobs":
            if not params.get("JobCategory"):
                return _error(400, "ValidationException", "JobCategory is required")
            jobs = [j for j in f.customization_jobs.values()
                    if j["JobCategory"] == params["JobCategory"] and j["JobArn"].split(":")[3] == region
                    and params.get("StatusEquals") in (None, j["JobStatus"])
                    and j["CreationTime"] > params.get("CreationTimeAfter", 0)]
            summaries = [{k: j[k] for k in ("JobName", "JobArn", "JobCategory", "JobStatus", "CreationTime")}
                         for j in jobs]
            return 200, ok, json.dumps({"JobSummaries": summaries}).encode()
        if operation == "DescribeJob":
            job = f.customization_jobs.get(params.get("JobName"))
            if job is None or job["JobArn"].split(":")[3] != region or job["JobCategory"] != params.get("JobCategory"):
                return _error(400, "ResourceNotFound", f"Job {params.get('JobName')} not found")
            return 200, ok, json.dumps(job).encode()
        return None

    def fault(self, f, operation, region, params):
        with f.lock:
            if f.throttle_ratio and f.rng.random() < f.throttle_ratio:
                f.throttled += 1
                return _error(400, "ThrottlingException", "Rate exceeded")
        if operation.startswith("List") and (operation, region) in f.deny_lists:
            return _error(400, "AccessDeniedException", f"User is not authorized to perform: sagemaker:{operation} in {region}")
        if operation == "ListTrainingJobs":
            if region in f.disabled_regions:
                return _error(400, "UnrecognizedClientException", "The security token included in the request is invalid.")
            if region in f.deny_list_regions:
                return _error(400, "AccessDeniedException", f"User is not authorized to perform: sagemaker:ListTrainingJobs in {region}")
            if f.empty_first_page and "NextToken" not in params:
                body = json.dumps({"TrainingJobSummaries": [], "NextToken": "proxy-empty-page"}).encode()
                return 200, {"Content-Type": "application/x-amz-json-1.1"}, body
        if operation == "DescribeTrainingJob":
            name = params.get("TrainingJobName")
            if name in f.fail_describe:
                return _error(500, "InternalFailure", "The request processing has failed because of an unknown error.")
            if name in f.gone:
                return _error(400, "ValidationException", "Requested resource not found.")
        if operation == "DescribeKey" and params.get("KeyId") in f.deny_keys:
            return _error(400, "AccessDeniedException", "User is not authorized to perform: kms:DescribeKey")
        return None

    def rewrite(self, f, operation, region, params, answer):
        status, headers, payload = answer
        # moto 5.2.1 keeps feature groups but drops OnlineStoreConfig and has no
        # ListFeatureGroups: the proxy notes what was created and adds the online store back.
        if operation == "CreateFeatureGroup" and status == 200:
            with f.lock:
                f.feature_groups[(region, params["FeatureGroupName"])] = {
                    "FeatureGroupName": params["FeatureGroupName"],
                    "FeatureGroupArn": json.loads(payload)["FeatureGroupArn"],
                    "CreationTime": time.time(), "FeatureGroupStatus": "Created",
                    "Online": params.get("OnlineStoreConfig")}
        if operation == "DescribeFeatureGroup" and status == 200:
            created = f.feature_groups.get((region, params.get("FeatureGroupName")))
            doc = json.loads(payload)
            if created and created["Online"] is not None and "OnlineStoreConfig" not in doc:
                doc["OnlineStoreConfig"] = created["Online"]
                payload = json.dumps(doc).encode()
        if operation == "DescribeProcessingJob" and status == 200:
            doc = json.loads(payload)
            created = f.processing_resources.get(doc.get("ProcessingJobName"))
            if created is not None and "ProcessingResources" not in doc:
                doc["ProcessingResources"] = created
                payload = json.dumps(doc).encode()
        if operation == "DescribeKey" and status == 200:
            doc = json.loads(payload)
            meta = doc.get("KeyMetadata", {})
            for ref in (params.get("KeyId"), meta.get("KeyId"), meta.get("Arn")):
                if ref in f.key_overrides:
                    meta.update(f.key_overrides[ref])
                    payload = json.dumps(doc).encode()
                    break
        return status, headers, payload

    def forward(self, body):
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        if self.headers.get("X-Amz-Target", "").endswith("ListTrainingJobs"):
            params = json.loads(body or b"{}")
            if params.get("NextToken") == "proxy-empty-page":
                params.pop("NextToken")
                body = json.dumps(params).encode()
        conn = http.client.HTTPConnection(self.server.upstream_host, self.server.upstream_port, timeout=30)
        try:
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            conn.close()


def start(upstream_port, faults):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.faults = faults
    server.upstream_host = "127.0.0.1"
    server.upstream_port = upstream_port
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
