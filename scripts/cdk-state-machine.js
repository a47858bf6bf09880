// Synthesises samples/state-machines/cdk-training.template.json with the real AWS CDK
// (aws-cdk-lib's Step Functions SageMaker tasks), so the sample is what CDK writes.
// Run: npm install --no-save aws-cdk-lib@2 constructs@10 && node scripts/cdk-state-machine.js OUT.json
const fs = require('fs');
const cdk = require('aws-cdk-lib');
const kms = require('aws-cdk-lib/aws-kms');
const ec2 = require('aws-cdk-lib/aws-ec2');
const s3 = require('aws-cdk-lib/aws-s3');
const sfn = require('aws-cdk-lib/aws-stepfunctions');
const tasks = require('aws-cdk-lib/aws-stepfunctions-tasks');

const app = new cdk.App({ outdir: fs.mkdtempSync('/tmp/cdk-out-') });
const stack = new cdk.Stack(app, 'TrainingStateMachine', {
  env: { account: '111122223333', region: 'us-east-1' },
});
const key = new kms.Key(stack, 'ModelKey');
const bucket = s3.Bucket.fromBucketName(stack, 'Models', 'ml-models');

// Encrypted output, volume key from the same customer-managed key.
const train = new tasks.SageMakerCreateTrainingJob(stack, 'TrainEncrypted', {
  trainingJobName: sfn.JsonPath.stringAt('$.jobName'),
  algorithmSpecification: { algorithmName: 'xgboost', trainingInputMode: tasks.InputMode.FILE },
  inputDataConfig: [{
    channelName: 'train',
    dataSource: { s3DataSource: { s3Location: tasks.S3Location.fromBucket(bucket, 'train/') } },
  }],
  outputDataConfig: { s3OutputLocation: tasks.S3Location.fromBucket(bucket, 'out/'), encryptionKey: key },
  resourceConfig: {
    instanceCount: 1,
    instanceType: new ec2.InstanceType('m5.xlarge'),
    volumeSize: cdk.Size.gibibytes(30),
    volumeEncryptionKey: key,
  },
});
// No keys at all: CDK's defaults.
const score = new tasks.SageMakerCreateTransformJob(stack, 'ScoreDefaults', {
  transformJobName: sfn.JsonPath.stringAt('$.scoreName'),
  modelName: 'churn',
  transformInput: {
    transformDataSource: { s3DataSource: { s3Uri: 's3://ml-data/customers/' } },
  },
  transformOutput: { s3OutputPath: 's3://ml-scores/' },
});
new sfn.StateMachine(stack, 'Retrain', {
  stateMachineName: 'cdk-retrain',
  definitionBody: sfn.DefinitionBody.fromChainable(train.next(score)),
});
const template = app.synth().getStackByName('TrainingStateMachine').template;
fs.writeFileSync(process.argv[2], JSON.stringify(template, null, 1) + '\n');
