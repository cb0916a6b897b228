/**
 * @module scripts/bench/pdf-reader-process
 * The PDF reader Worker's share of a publish, as a fresh process of its own: on Workers a PDF is
 * read by the PDF reader Worker (src/media-worker/pdf/worker), an isolate of its own with nothing
 * else in its heap, not by the assistant Worker that publishes it. This process serves the same
 * handler (the reader Worker's route over PDF.js) and posts each PDF given to it, in order, as
 * the assistant's client does, timing the CPU of each (the first compiles PDF.js; later ones find
 * it compiled). A Node process is not workerd, whose CPU this machine cannot time: it is the
 * closest stand-in, a V8 isolate as cold and as empty. Prints {"cpuMs": [...], "pages": [...]} as
 * one JSON line. Started by scripts/bench/knowledge-scale.
 * Run: node --import tsx scripts/bench/pdf-reader-process.ts <file.pdf> [<file.pdf> ...]
 */
import { readFileSync } from 'node:fs';
import { extractPdf } from '../../src/knowledge/extract/pdf';
import { mediaHandler } from '../../src/media-worker/handler';
import { pdfTextRoute } from '../../src/media-worker/pdf-route';
import { PDF_TEXT_PATH } from '../../src/media-worker/protocol';

const files = process.argv.slice(2);
if (files.length === 0) throw new Error('usage: pdf-reader-process.ts <file.pdf> [<file.pdf> ...]');
const reader = mediaHandler(pdfTextRoute(extractPdf));
const cpuMs: number[] = [];
const pages: number[] = [];
for (const file of files) {
  const body = new Uint8Array(readFileSync(file));
  const c0 = process.cpuUsage();
  const res = await reader.fetch(new Request(`https://pdf-reader.internal${PDF_TEXT_PATH}?maxPages=500`, { method: 'POST', body }));
  const reply = (await res.json()) as { pages?: number; code?: string };
  const c = process.cpuUsage(c0);
  if (!res.ok) throw new Error(`the PDF reader refused ${file}: ${res.status} ${reply.code}`);
  cpuMs.push((c.user + c.system) / 1000);
  pages.push(reply.pages ?? 0);
}
process.stdout.write(`${JSON.stringify({ cpuMs, pages })}\n`);
