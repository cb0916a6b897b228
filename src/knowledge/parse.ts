/**
 * @module knowledge/parse
 * Reads one knowledge file's text (.md with front matter, plain .txt, or .json) into a
 * validated document, and splits documents into section chunks for search.
 * Pure: file I/O stays in scripts/ingest.ts.
 */
import { z } from 'zod';
import { slugify } from '../text/normalize';
import { DocumentSchema, type Chunk, type KnowledgeDocument } from './schema';

class KnowledgeFileError extends Error {
  override name = 'KnowledgeFileError';
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}

/** Parses one file by its extension. `fileName` is used for ids and error messages. */
export function parseKnowledgeFile(fileName: string, content: string): KnowledgeDocument[] {
  const text = content.normalize('NFC').replace(/\r\n?/g, '\n').replace(/^\uFEFF/, '');
  const ext = fileName.toLowerCase().split('.').pop();
  if (ext === 'md') return [validate(fileName, parseMarkdown(fileName, text))];
  if (ext === 'txt') return [validate(fileName, parsePlainText(fileName, text))];
  if (ext === 'json') {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new KnowledgeFileError(fileName, `invalid JSON (${(e as Error).message})`);
    }
    const list = Array.isArray(data) ? data : [data];
    return list.map((d, i) => validate(`${fileName}[${i}]`, d));
  }
  throw new KnowledgeFileError(fileName, 'unsupported file type (use .md, .txt or .json)');
}

function validate(fileName: string, raw: unknown): KnowledgeDocument {
  const parsed = DocumentSchema.safeParse(raw);
  if (!parsed.success) {
    throw new KnowledgeFileError(fileName, z.prettifyError(parsed.error).replace(/\n/g, '; '));
  }
  return parsed.data;
}

/** Front matter is `key: value` lines between `---` fences; `keywords` is comma-separated. */
function parseMarkdown(fileName: string, text: string): Record<string, unknown> {
  const match = /^---\n([\s\S]*?)\n---\n?([\s\S]*)$/.exec(text);
  if (!match) throw new KnowledgeFileError(fileName, 'missing front matter (--- key: value --- block)');
  const meta: Record<string, unknown> = {};
  for (const line of match[1]!.split('\n')) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    const idx = line.indexOf(':');
    if (idx <= 0) throw new KnowledgeFileError(fileName, `bad front matter line: ${line}`);
    const key = line.slice(0, idx).trim();
    const value = unquote(line.slice(idx + 1).trim());
    meta[camel(key)] = key === 'keywords' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value;
  }
  delete meta['sourceFile'];
  // The body's leading "# Title" repeats the title; drop it so it is not indexed twice.
  meta['text'] = match[2]!.replace(/^\s*#\s+[^\n]*\n/, '').trim();
  return meta;
}

/**
 * A plain text file (such as a saved news article): the first non-empty line is its title,
 * the first date found is its date, and the file name is its id and source.
 */
function parsePlainText(fileName: string, text: string): Record<string, unknown> {
  const lines = text.split('\n').map((l) => l.trim());
  const title = lines.find((l) => l.length > 0) ?? fileName;
  const dateMatch = /\b(\d{1,2})[./-](\d{1,2})[./-](\d{4})\b/.exec(text);
  const date = dateMatch
    ? `${dateMatch[3]}-${dateMatch[2]!.padStart(2, '0')}-${dateMatch[1]!.padStart(2, '0')}`
    : '1970-01-01';
  const base = fileName.split('/').pop()!.replace(/\.[^.]+$/, '');
  return {
    id: slugify(base) || 'doc',
    title,
    source: base,
    date,
    kind: 'news',
    keywords: [],
    text: text.trim(),
  };
}

function unquote(s: string): string {
  return /^(["']).*\1$/.test(s) ? s.slice(1, -1) : s;
}

function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}


const MAX_CHUNK_CHARS = 1200;

/**
 * Splits a document into chunks at `## ` headings; text before the first heading is its own
 * chunk. Plain paragraphs without headings are grouped up to about MAX_CHUNK_CHARS.
 */
export function chunkDocument(doc: KnowledgeDocument): Chunk[] {
  const sections: Array<{ heading: string; body: string }> = [];
  let current = { heading: '', body: '' };
  for (const line of doc.text.split('\n')) {
    const h = /^#{2,3}\s+(.*)$/.exec(line);
    if (h) {
      if (current.body.trim() || current.heading) sections.push(current);
      current = { heading: h[1]!.trim(), body: '' };
    } else {
      current.body += line + '\n';
    }
  }
  if (current.body.trim() || current.heading) sections.push(current);

  const chunks: Chunk[] = [];
  for (const section of sections) {
    for (const piece of splitLong(section.body.trim())) {
      if (!piece) continue;
      chunks.push({ id: `${doc.id}#${chunks.length + 1}`, docId: doc.id, heading: section.heading, text: piece });
    }
  }
  return chunks;
}

function splitLong(body: string): string[] {
  if (body.length <= MAX_CHUNK_CHARS) return [body];
  const out: string[] = [];
  let buf = '';
  for (const para of body.split(/\n\s*\n/)) {
    if (buf && buf.length + para.length > MAX_CHUNK_CHARS) {
      out.push(buf.trim());
      buf = '';
    }
    buf += para + '\n\n';
  }
  if (buf.trim()) out.push(buf.trim());
  return out;
}
