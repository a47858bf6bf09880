// The HTML report in real headless Chromium: it renders, filters and sorts, fetches
// nothing from the network, and hostile input stays inert.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { repo, scan, outRoot, catalogue } from './helpers.mjs';

const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--no-first-run', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
});
after(async () => { await browser?.close(); });

// Opens a report and records every request and script dialog.
async function open(dir) {
  const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
  const requests = [];
  const dialogs = [];
  const errors = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  page.on('pageerror', (e) => errors.push(String(e)));
  const url = pathToFileURL(path.join(dir, 'report.html')).href;
  await page.goto(url, { waitUntil: 'load' });
  return { page, requests, dialogs, errors, url };
}

const visibleRows = (page) => page.locator('#rows tr.finding').count();
// The JSON report of the same run: what the page must show.
const report = (dir) => JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8'));
const failing = (doc) => doc.findings.filter((f) => f.status === 'FAIL');

test('samples report renders with summary, chart, errors and every finding', async () => {
  const dir = scan('html-samples', ['samples/'], { cwd: repo });
  const { page, errors } = await open(dir);
  const doc = report(dir);
  assert.deepEqual(errors, []);
  const errorCount = doc.errors.length;
  assert.match(await page.locator('#verdict').innerText(), new RegExp(`Incomplete: ${errorCount} inputs? could not be evaluated`));
  // One bar per check of the kinds in the samples (every kind); every finding is in the table.
  const kinds = catalogue();
  assert.equal(doc.rules.length, kinds.flatMap((k) => k.checks).length);
  assert.equal(await page.locator('.chart svg').count(), doc.rules.length);
  assert.ok(doc.findings.length >= 60, doc.findings.length);
  assert.equal(await visibleRows(page), Math.min(doc.findings.length, 500));
  // One row per group the report counts: every kind, pipeline steps, and the definitions and
  // files read from disk only (SDK config sections, state machine tasks, Terraform resources).
  const groups = doc.summary.kinds.map((k) => k.kind);
  for (const k of kinds) assert.ok(groups.includes(k.name), k.name);
  for (const g of ['sdk-config', 'state-machine', 'iac']) assert.ok(groups.includes(g), g);
  assert.equal(await page.locator('#kinds tbody tr').count(), groups.length);
  assert.match(await page.locator('#errors').innerText(), /list-training-jobs/);
  assert.match(await page.locator('#compliance').innerText(), /SC-28\(1\)/);
  await page.screenshot({ path: path.join(outRoot, 'samples-report.png'), fullPage: true });
  await page.close();
});

test('filters and sorting change what is shown', async () => {
  const dir = scan('html-filter', ['samples/'], { cwd: repo });
  const { page } = await open(dir);
  const doc = report(dir);
  await page.selectOption('#f-status', '0');
  assert.equal(await visibleRows(page), failing(doc).length);
  const statuses = await page.locator('#rows tr.finding td:first-child').allInnerTexts();
  assert.ok(statuses.every((s) => s === 'FAIL'), statuses.join(','));
  await page.fill('#q', 'churn-model-baseline');
  await page.waitForFunction(() => document.querySelectorAll('#rows tr.finding').length === 2);
  assert.match(await page.locator('#count').innerText(), /Showing 2 of 2/);
  await page.fill('#q', '');
  await page.selectOption('#f-status', '');
  // The second check (training-output-cmk): as many rows as it has findings.
  const outputs = doc.findings.filter((f) => f.rule_id === doc.rules[1]).length;
  await page.selectOption('#f-rule', '1');
  await page.waitForFunction((n) => document.querySelectorAll('#rows tr.finding').length === n, outputs);
  // Sort by job name, descending on the second click.
  const header = page.locator('th[data-col="2"]');
  await header.click();
  await header.click();
  assert.equal(await header.getAttribute('aria-sort'), 'descending');
  const names = await page.locator('#rows tr.finding td:nth-child(3)').allInnerTexts();
  assert.deepEqual(names, [...names].sort().reverse());
  // A row opens its evidence.
  await page.locator('#rows tr.finding').first().click();
  assert.match(await page.locator('#rows tr.detail').innerText(), /Job ARN\s+arn:aws:sagemaker:/);
  await page.close();
});

test('nothing is fetched from the network', async () => {
  const dir = scan('html-network', ['samples/'], { cwd: repo });
  const { page, requests, url } = await open(dir);
  await page.fill('#q', 'fraud');
  await page.locator('#rows tr.finding').first().click();
  await page.waitForTimeout(300);
  assert.deepEqual(requests, [url]);
  await page.close();
});

test('hostile job fields are shown as text and never run', async () => {
  const dir = scan('html-hostile', ['hostile'], { extra: ['--sarif-all-results'] });
  const { page, dialogs, errors } = await open(dir);
  await page.locator('#rows tr.finding').first().click();
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(errors, []);
  const table = await page.locator('#findings-table').innerText();
  assert.match(table, /<img src=x onerror="window.__pwned=1">/);
  // Bidirectional controls are shown as escapes, so names read as what they are.
  assert.match(table, /invoice-\\u\{202e\}fdp\.exe/);
  assert.doesNotMatch(await page.locator('body').innerText(), /\u202e|\u2066/);
  assert.equal(await page.locator('#findings-table img, #findings-table b, #findings-table script').count(), 0);
  await page.screenshot({ path: path.join(outRoot, 'hostile-report.png'), fullPage: true });
  await page.close();
});

test('without scripts the failing findings are still readable', async () => {
  const dir = scan('html-noscript', ['samples/'], { cwd: repo });
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(pathToFileURL(path.join(dir, 'report.html')).href);
  const text = await page.locator('.static-only').innerText();
  assert.match(text, /churn-model-baseline/);
  assert.match(text, /churn-multi-algo-hpo-2025-04-02 \(definition linear-learner\)/);
  assert.equal(await page.locator('.static-only tbody tr').count(), failing(report(dir)).length);
  await context.close();
});

test('mixed kinds: per-kind summary, kind filter, parts and ARNs of every kind', async () => {
  const dir = scan('html-kinds', ['kinds']);
  const { page, errors } = await open(dir);
  const doc = report(dir);
  assert.deepEqual(errors, []);
  // Jobs, hosting, notebooks, Studio, Feature Store and shadow tests: the report speaks of
  // resources, with one summary row per kind the JSON report's findings name.
  assert.match(await page.locator('h1').innerText(), /SageMaker resource encryption audit/);
  const kinds = await page.locator('#kinds tbody tr').allInnerTexts();
  const types = new Set(doc.findings.map((f) => f.resource_type));
  assert.equal(kinds.length, types.size, kinds.join('|'));
  assert.ok(types.size >= 11, [...types].join('|'));
  for (const [i, label] of [[3, /Hyperparameter tuning jobs/], [5, /Endpoint configurations/],
    [6, /Notebook instances/], [7, /Studio domains/], [8, /Studio user profiles/],
    [9, /Feature groups/], [10, /Inference experiments/]]) {
    assert.match(kinds[i], label, kinds.join('|'));
  }
  assert.ok(await page.locator('#f-kind').isVisible());
  await page.selectOption('#f-kind', 'transform-job');
  const transform = doc.findings.filter((f) => f.resource_type === 'transform-job');
  await page.waitForFunction((n) => document.querySelectorAll('#rows tr.finding').length === n, transform.length);
  const labels = await page.locator('#rows tr.finding td:nth-child(3)').allInnerTexts();
  assert.ok(labels.includes('fraud-scoring-2025-03-02 (data capture)'), labels.join('|'));
  // Every job's evidence shows the ARN the JSON report holds, rebuilt for its kind.
  await page.selectOption('#f-kind', '');
  await page.fill('#q', 'churn-multi-algo');
  await page.waitForFunction(() => document.querySelectorAll('#rows tr.finding').length === 4);
  await page.locator('#rows tr.finding').first().click();
  const detail = await page.locator('#rows tr.detail').innerText();
  const tuning = doc.findings.find((f) => f.resource_type === 'hyperparameter-tuning-job');
  assert.ok(detail.includes(tuning.job_arn), detail);
  assert.match(detail, /Kind\s+Hyperparameter tuning job/);
  assert.match(detail, /Part\s+definition /);
  // An endpoint configuration's core dump slot, with its own ARN and kind.
  await page.fill('#q', 'support-bot');
  await page.waitForFunction(() => document.querySelectorAll('#rows tr.finding').length === 3);
  await page.locator('#rows tr.finding', { hasText: 'core dump Live' }).click();
  const endpoint = await page.locator('#rows tr.detail').innerText();
  const config = doc.findings.find((f) => f.resource_type === 'endpoint-config');
  assert.ok(endpoint.includes(config.job_arn), endpoint);
  assert.match(endpoint, /Kind\s+Endpoint configuration/);
  await page.fill('#q', '');
  await page.screenshot({ path: path.join(outRoot, 'kinds-report.png'), fullPage: true });
  await page.close();
});

test('pipelines: grouped under their pipeline, a click shows a pipeline\'s steps', async () => {
  const dir = scan('html-pipelines', ['samples/pipelines', 'samples/kms'], { cwd: repo });
  const { page, errors } = await open(dir);
  const doc = report(dir);
  assert.deepEqual(errors, []);
  const rows = await page.locator('#pipelines tbody tr').allInnerTexts();
  // One row per pipeline the report's findings name.
  const pipelines = new Set(doc.findings
    .filter((f) => f.origin === 'pipeline-step')
    .map((f) => f.job_name.split('/')[0]));
  assert.ok(pipelines.size >= 4, [...pipelines].join('|'));
  assert.equal(rows.length, pipelines.size, rows.join('|'));
  assert.ok(rows.some((r) => r.startsWith('churn-pipeline')), rows.join('|'));
  await page.locator('#pipelines button[data-pipeline="churn-pipeline/"]').click();
  const churn = doc.findings.filter((f) => f.job_name.startsWith('churn-pipeline/')).length;
  await page.waitForFunction((n) => document.querySelectorAll('#rows tr.finding').length === n, churn);
  const labels = await page.locator('#rows tr.finding td:nth-child(3)').allInnerTexts();
  assert.ok(labels.every((l) => l.startsWith('churn-pipeline/')), labels.join('|'));
  await page.screenshot({ path: path.join(outRoot, 'pipelines-report.png'), fullPage: true });
  await page.close();
});

test('accounts: one row per account, headers sort, a click shows that account\'s findings', async () => {
  const dir = scan('html-accounts', ['samples'], { cwd: repo });
  const { page, errors } = await open(dir);
  const doc = report(dir);
  assert.deepEqual(errors, []);
  const accounts = doc.summary.accounts.map((a) => a.account);
  assert.ok(accounts.length >= 2, accounts.join(','));
  const first = async () => (await page.locator('#accounts tbody tr td:first-child').allInnerTexts()).map((t) => t.trim());
  assert.deepEqual(await first(), accounts);
  // Sorting by open failures, most first, after two clicks on its header.
  const open_fail = page.locator('#accounts th[data-key="2"]');
  await open_fail.click();
  await open_fail.click();
  const byFail = [...doc.summary.accounts].sort((a, b) => b.unwaived_fail - a.unwaived_fail).map((a) => a.account);
  assert.deepEqual(await first(), byFail);
  assert.equal(await open_fail.getAttribute('aria-sort'), 'descending');
  const target = accounts[accounts.length - 1];
  await page.locator(`#accounts button[data-account="${target}"]`).click();
  const n = doc.findings.filter((f) => f.account_id === target).length;
  await page.waitForFunction((k) => document.querySelectorAll('#rows tr.finding').length === Math.min(k, 500), n);
  await page.screenshot({ path: path.join(outRoot, 'accounts-report.png'), fullPage: true });
  await page.close();
});
