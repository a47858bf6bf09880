// Measures the HTML report in headless Chromium: time until the table is interactive,
// and how long filtering and sorting take. Usage: node bench-html.mjs REPORT.html [RUNS]
import { chromium } from 'playwright-core';
import { statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [file, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 3);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const open = [], filterStatus = [], filterText = [], sort = [];
for (let i = 0; i < runs; i++) {
  const page = await browser.newPage();
  const t0 = Date.now();
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 60000 });
  await page.waitForFunction(() => window.__reportReady && document.querySelector('#rows tr.finding'), null, { timeout: 60000 });
  open.push(Date.now() - t0);
  // Each handler runs synchronously: time it inside the page.
  const timings = await page.evaluate(() => {
    const time = (fn) => { const t = performance.now(); fn(); return performance.now() - t; };
    const st = document.getElementById('f-status');
    const q = document.getElementById('q');
    const a = time(() => { st.value = '0'; st.dispatchEvent(new Event('change')); });
    const b = time(() => { q.value = 'job-0004'; st.value = ''; st.dispatchEvent(new Event('change')); });
    q.value = ''; st.dispatchEvent(new Event('change'));
    const c = time(() => document.querySelector('th[data-col="2"]').click());
    return [a, b, c, document.getElementById('count').textContent];
  });
  filterStatus.push(timings[0]); filterText.push(timings[1]); sort.push(timings[2]);
  if (i === 0) console.log(`table: ${timings[3]}`);
  await page.close();
}
await browser.close();
console.log(`report: ${(statSync(file).size / 1048576).toFixed(1)} MiB`);
console.log(`open until interactive: ${median(open)} ms (median of ${runs})`);
console.log(`filter by status: ${median(filterStatus).toFixed(0)} ms; text search: ${median(filterText).toFixed(0)} ms; sort by job over all findings: ${median(sort).toFixed(0)} ms`);
