// Microsoft's SARIF Multitool with GitHub's ingestion rules turned on: zero errors allowed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { execFileSync, here, multitool, repo, scan, outRoot } from './helpers.mjs';

const config = path.join(here, 'multitool-github-rules.xml');

// Returns the results of a validate run. The tool exits 0 even when it finds errors,
// so the verdict comes from its output log.
function validate(sarifPath) {
  const log = `${sarifPath}.validation.sarif`;
  rmSync(log, { force: true });
  execFileSync(multitool(), ['validate', '--rule-kind', 'Sarif;Ghas', '-c', config, '-o', log, sarifPath], {
    stdio: 'pipe',
  });
  const results = JSON.parse(readFileSync(log, 'utf8')).runs[0].results ?? [];
  return results.map((r) => `${r.level ?? 'warning'} ${r.ruleId}: ${JSON.stringify(r.message)}`);
}

test('the Multitool flags a broken file (the check can fail)', () => {
  const dir = scan('multitool-control', ['basic']);
  const sarif = JSON.parse(readFileSync(path.join(dir, 'report.sarif'), 'utf8'));
  const loc = sarif.runs[0].results[0].locations[0].physicalLocation;
  loc.artifactLocation.uri = 'arn:aws:sagemaker:us-east-1:1:training-job/x';
  delete loc.region;
  const broken = path.join(outRoot, 'broken.sarif');
  writeFileSync(broken, JSON.stringify(sarif));
  const found = validate(broken).filter((r) => r.startsWith('error'));
  assert.ok(found.some((r) => r.includes('GH1003')), found.join('\n'));
  assert.ok(found.some((r) => r.includes('GH1005')), found.join('\n'));
});

for (const [name, paths, cwd, extra] of [
  ['samples', ['samples/'], repo, []],
  ['basic', ['basic'], undefined, ['--kms-keys', 'kms']],
  ['bad', ['bad'], undefined, []],
  ['hostile', ['hostile'], undefined, ['--sarif-all-results']],
  ['mixed kinds', ['kinds'], undefined, ['--sarif-all-results']],
  ['pipeline definitions', ['samples/pipelines'], repo, ['--sarif-all-results']],
]) {
  test(`SARIF for ${name} has no Multitool errors or warnings`, () => {
    const dir = scan(`multitool-${name}`, paths, { cwd, extra });
    const findings = validate(path.join(dir, 'report.sarif'));
    const serious = findings.filter((r) => r.startsWith('error') || r.startsWith('warning'));
    assert.deepEqual(serious, []);
  });
}
