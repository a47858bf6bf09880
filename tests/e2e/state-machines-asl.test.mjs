// The state machine samples are valid Amazon States Language to asl-validator (npm), the
// closest installable stand-in for Step Functions' own ValidateStateMachineDefinition: the
// hand-written ASL file, the inline Definition of the YAML template (after its
// DefinitionSubstitutions) and the DefinitionString that aws-cdk-lib wrote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import YAML from 'yaml';
import { repo } from './helpers.mjs';

const require = createRequire(import.meta.url);
const validate = require('asl-validator');
const samples = path.join(repo, 'samples', 'state-machines');

function assertValid(definition, name) {
  const { isValid, errors } = validate(definition);
  assert.ok(isValid, `${name}: ${JSON.stringify(errors)}`);
}

test('the hand-written ASL file is valid', () => {
  const files = fs.readdirSync(samples).filter((f) => f.endsWith('.asl.json'));
  assert.ok(files.length >= 1);
  for (const f of files) {
    assertValid(JSON.parse(fs.readFileSync(path.join(samples, f), 'utf8')), f);
  }
});

test('the inline Definition of the YAML template is valid', () => {
  // CloudFormation's short tags are plain values here; only the Definition is validated.
  const tags = ['Ref', 'GetAtt', 'Sub'].map((tag) => ({
    tag: `!${tag}`,
    resolve: (value) => `${tag}:${value}`,
  }));
  const template = YAML.parse(
    fs.readFileSync(path.join(samples, 'scoring-state-machine.yaml'), 'utf8'),
    { customTags: tags },
  );
  const machine = template.Resources.ScoringStateMachine.Properties;
  const text = JSON.stringify(machine.Definition).replace(/\$\{[^}]*\}/g, 'placeholder');
  assertValid(JSON.parse(text), 'scoring-state-machine.yaml');
});

test('the DefinitionString aws-cdk-lib wrote is valid', () => {
  const template = JSON.parse(
    fs.readFileSync(path.join(samples, 'cdk-retrain.template.json'), 'utf8'),
  );
  const machines = Object.values(template.Resources).filter(
    (r) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  assert.equal(machines.length, 1);
  const [separator, parts] = machines[0].Properties.DefinitionString['Fn::Join'];
  // As CloudFormation fills them in the aws partition; other values stand in as text.
  const filled = (p) => {
    if (typeof p === 'string') return p;
    if (p.Ref === 'AWS::Partition') return 'aws';
    return 'placeholder';
  };
  const text = parts.map(filled).join(separator);
  assertValid(JSON.parse(text), 'cdk-retrain.template.json');
});

test('the validator refuses a broken state machine', () => {
  const { isValid } = validate({ StartAt: 'Missing', States: { Train: { Type: 'Task', End: true } } });
  assert.equal(isValid, false);
});
