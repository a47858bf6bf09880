// The Markdown report through cmark-gfm, GitHub's own Markdown renderer (with the extensions
// github.com enables: tables, autolinks, strikethrough, tag filter). Hostile job fields and a
// hostile baseline must render as text: no link, image, heading, HTML or autolinked URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { scan, outRoot, fixtures } from './helpers.mjs';

function render(markdown) {
  return execFileSync('cmark-gfm', ['-e', 'table', '-e', 'autolink', '-e', 'strikethrough', '-e', 'tagfilter'], {
    input: markdown,
    encoding: 'utf8',
  });
}

const PAYLOAD = '![x](https://evil.example/p.png) [click](https://evil.example) # heading ' +
  '<img src=x onerror=alert(1)> www.evil.example mailto:a@evil.example x@evil.example ' +
  '`code` **bold** | pipe \u202egnp.exe';

test('the renderer is the real one and links do render when not escaped (control)', () => {
  const html = render('see https://evil.example and [x](https://evil.example)\n');
  assert.match(html, /<a href="https:\/\/evil.example"/);
});

test('hostile fields and a hostile baseline stay text in GitHub-flavoured Markdown', () => {
  const dir = path.join(outRoot, 'md-hostile-input');
  mkdirSync(dir, { recursive: true });
  const job = JSON.parse(readFileSync(path.join(fixtures, 'basic', 'unencrypted.json'), 'utf8'));
  job.TrainingJobName = PAYLOAD;
  job.TrainingJobArn = `arn:aws:sagemaker:us-east-1:123456789012:training-job/${PAYLOAD}`;
  job.OutputDataConfig.KmsKeyId = PAYLOAD;
  writeFileSync(path.join(dir, 'job.json'), JSON.stringify(job));
  writeFileSync(path.join(dir, 'baseline.json'), JSON.stringify({
    schema_version: '1.0',
    findings: [{
      status: 'FAIL', severity: 'high', rule_id: PAYLOAD, job_arn: 'arn:gone', job_name: PAYLOAD,
      account_id: PAYLOAD, region: PAYLOAD, job_status: null, creation_time: null,
      last_modified_time: null, instance_types: [PAYLOAD], kms_key: PAYLOAD, key_manager: PAYLOAD,
      key_state: null, message: PAYLOAD, source_file: PAYLOAD, line: 1,
    }],
  }));
  const out = scan('md-hostile', ['job.json'], {
    cwd: dir,
    extra: ['--baseline', 'baseline.json'],
  });
  const markdown = readFileSync(path.join(out, 'report.md'), 'utf8');
  assert.ok(markdown.includes('Fixed since the baseline'));
  const html = render(markdown);
  assert.doesNotMatch(html, /<a /, 'no link of any kind');
  assert.doesNotMatch(html, /<img/);
  assert.doesNotMatch(html, /<code>code<\/code>|<strong>bold<\/strong>/);
  assert.doesNotMatch(html, /\u202e/, 'bidi controls are shown escaped');
  // Only the template's own headings.
  const headings = [...html.matchAll(/<h([1-6])>(.*?)<\/h\1>/g)].map((m) => m[2]);
  for (const h of headings) {
    assert.doesNotMatch(h, /evil|heading/, `injected heading: ${h}`);
  }
  // The payload is still readable as text.
  assert.match(html, /evil\.example\/p\.png/);
});
