// Shared helpers for the end-to-end checks: run the real binary, find the tools.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '..', '..');
export const fixtures = path.join(repo, 'tests', 'fixtures');
export const outRoot = path.join(here, 'out');

export function bin() {
  const b = process.env.SAGEMAKER_AUDIT_BIN;
  if (!b || !existsSync(b)) {
    throw new Error('set SAGEMAKER_AUDIT_BIN to the built sagemaker-audit binary (scripts/test does)');
  }
  return b;
}

// Scans `paths` (relative to `cwd`) into out/<name>/ and returns that directory.
export function scan(name, paths, { cwd = fixtures, extra = [] } = {}) {
  const dir = path.join(outRoot, name);
  mkdirSync(dir, { recursive: true });
  const r = spawnSync(bin(), ['scan', ...paths, '--out-dir', dir, ...extra], {
    cwd,
    env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' },
    encoding: 'utf8',
  });
  if (![0, 1, 3].includes(r.status)) {
    throw new Error(`scan ${paths.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  return dir;
}

// What the binary says it covers (`sagemaker-audit kinds --json`): the kinds, then pipelines.
export function catalogue() {
  return JSON.parse(execFileSync(bin(), ['kinds', '--json'], { encoding: 'utf8' }));
}

export function multitool() {
  return path.join(here, 'node_modules', '@microsoft', 'sarif-multitool-linux', 'Sarif.Multitool');
}

export { execFileSync };
