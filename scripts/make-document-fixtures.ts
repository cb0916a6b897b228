/**
 * @module scripts/make-document-fixtures
 * Regenerates the PDF fixtures in test/fixtures/documents/ that the extraction tests read
 * (they are committed, so tests need neither Chromium nor qpdf):
 * - `<name>.pdf` for each `<name>.html` there, printed by Debian's Chromium (a real text layer);
 * - `scan.pdf`: one page holding only a picture of text (what a scanner produces);
 * - `encrypted.pdf`: the Chỉ thị locked with a user password (qpdf, AES-256);
 * - `owner-locked.pdf`: the Chỉ thị with only an owner password (opens without one).
 * Needs /usr/bin/chromium and /usr/bin/qpdf (`apt-get install chromium qpdf`).
 * Usage: tsx scripts/make-document-fixtures.ts
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const DIR = join(import.meta.dirname, '../test/fixtures/documents');
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** Fixtures must stay small: they are committed. */
const MAX_FIXTURE_BYTES = 50 * 1024;

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
try {
  const page = await browser.newPage();
  for (const name of readdirSync(DIR).filter((f) => f.endsWith('.html'))) {
    await page.setContent(readFileSync(join(DIR, name), 'utf8'), { waitUntil: 'load' });
    // One font face keeps each PDF small: every weight or style would embed another subset.
    await page.addStyleTag({ content: '* { font-family: "DejaVu Sans" !important; font-weight: 400 !important; font-style: normal !important; font-size: 11pt !important }' });
    const out = join(DIR, name.replace(/\.html$/, '.pdf'));
    writeFileSync(out, await page.pdf({ format: 'A4', margin: { top: '20mm', bottom: '20mm', left: '25mm', right: '20mm' } }));
    console.log(`wrote ${out}`);
  }

  // A scan: the text is drawn on a canvas and only its picture goes on the page.
  await page.setContent('<!DOCTYPE html><html><body style="margin:0"><canvas id="c" width="900" height="360"></canvas></body></html>');
  await page.evaluate(() => {
    const canvas = document.getElementById('c') as HTMLCanvasElement;
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = '#222';
    ctx.font = '28px serif';
    const lines = ['TỈNH ỦY BÌNH DƯƠNG', 'Số 22-CT/TU', 'CHỈ THỊ', 'về tăng cường sự lãnh đạo của Đảng', 'đối với công tác cải cách hành chính'];
    lines.forEach((line, i) => ctx.fillText(line, 40, 60 + i * 60));
    const img = document.createElement('img');
    img.src = canvas.toDataURL('image/jpeg', 0.6);
    img.style.width = '160mm';
    document.body.replaceChildren(img);
  });
  await page.waitForFunction(() => document.querySelector('img')?.complete === true);
  writeFileSync(join(DIR, 'scan.pdf'), await page.pdf({ format: 'A4' }));
  console.log('wrote scan.pdf');
} finally {
  await browser.close();
}

const source = join(DIR, 'chi-thi-22-ct-tu.pdf');
execFileSync('qpdf', ['--encrypt', 'mat-khau-nguoi-doc', 'mat-khau-chu', '256', '--', source, join(DIR, 'encrypted.pdf')]);
execFileSync('qpdf', ['--encrypt', '', 'mat-khau-chu', '256', '--extract=n', '--', source, join(DIR, 'owner-locked.pdf')]);
console.log('wrote encrypted.pdf, owner-locked.pdf');

for (const name of readdirSync(DIR).filter((f) => f.endsWith('.pdf'))) {
  const size = statSync(join(DIR, name)).size;
  if (size > MAX_FIXTURE_BYTES) throw new Error(`${name} is ${size} bytes, over ${MAX_FIXTURE_BYTES}: shorten it`);
}
