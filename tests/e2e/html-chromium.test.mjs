// The HTML report in real headless Chromium: it renders, filters and sorts, fetches
// nothing from the network, and hostile input stays inert.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { repo, scan, outRoot } from './helpers.mjs';

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

test('samples report renders with summary, chart, errors and every finding', async () => {
  const dir = scan('html-samples', ['samples/'], { cwd: repo });
  const { page, errors } = await open(dir);
  assert.deepEqual(errors, []);
  assert.match(await page.locator('#verdict').innerText(), /Incomplete: 1 input could not be evaluated/);
  assert.equal(await page.locator('.chart svg').count(), 2);
  assert.equal(await visibleRows(page), 34);
  assert.match(await page.locator('#errors').innerText(), /list-training-jobs/);
  assert.match(await page.locator('#compliance').innerText(), /SC-28\(1\)/);
  await page.screenshot({ path: path.join(outRoot, 'samples-report.png'), fullPage: true });
  await page.close();
});

test('filters and sorting change what is shown', async () => {
  const dir = scan('html-filter', ['samples/'], { cwd: repo });
  const { page } = await open(dir);
  await page.selectOption('#f-status', '0');
  assert.equal(await visibleRows(page), 14);
  const statuses = await page.locator('#rows tr.finding td:first-child').allInnerTexts();
  assert.ok(statuses.every((s) => s === 'FAIL'), statuses.join(','));
  await page.fill('#q', 'churn');
  await page.waitForFunction(() => document.querySelectorAll('#rows tr.finding').length === 2);
  assert.match(await page.locator('#count').innerText(), /Showing 2 of 2/);
  await page.fill('#q', '');
  await page.selectOption('#f-status', '');
  await page.selectOption('#f-rule', '1');
  await page.waitForFunction(() => document.querySelectorAll('#rows tr.finding').length === 17);
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
  assert.equal(await page.locator('.static-only tbody tr').count(), 14);
  await context.close();
});
