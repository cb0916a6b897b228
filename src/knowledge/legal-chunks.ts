/**
 * @module knowledge/legal-chunks
 * Splits a Vietnamese legal or administrative text along its own structure — Phần, Chương, Mục,
 * Điều, khoản (1.), điểm (a)); a Kế hoạch's Roman parts (I., II.), numbered items (1., 1.1.) and
 * points — into search chunks of about MAX_CHUNK_CHARS, each knowing its document, its heading
 * path (["Chương II", "Điều 5", "Khoản 2"]) and the document's validity, so an answer can cite
 * "khoản 2 Điều 5" and say whether it is still in force.
 * An Điều is the smallest unit cited, so two Điều never share a chunk; below it (and in texts
 * without Điều) neighbouring parts are packed together while they fit. Text longer than a chunk
 * is cut between paragraphs, else between sentences, and only mid-sentence when one sentence
 * alone is too long. Pure.
 */
import { z } from 'zod';
import { ChunkSchema } from './schema';
import { foldAligned } from './legal-metadata';

/** The same budget as the Markdown chunker in ./parse, so both kinds of chunk rank alike. */
export const MAX_CHUNK_CHARS = 1200;

const ChunkValiditySchema = z.object({
  effectiveAt: z.string().optional(),
  expiresAt: z.string().optional(),
  status: z.string().optional(),
});
type ChunkValidity = z.infer<typeof ChunkValiditySchema>;

export const LegalChunkSchema = ChunkSchema.extend({
  /** Short labels from the outside in: ["Chương II", "Điều 5", "Khoản 2"]; [] for the preamble. */
  headingPath: z.array(z.string()),
  validity: ChunkValiditySchema,
});
export type LegalChunk = z.infer<typeof LegalChunkSchema>;

interface LegalTextInput {
  id: string;
  title: string;
  text: string;
  validity?: ChunkValidity;
}

type Level = 'part' | 'chapter' | 'section' | 'roman' | 'article' | 'clause' | 'subclause' | 'point' | 'tail';

/** Depth of each level: a heading closes every open part at its depth or deeper. */
const RANK: Record<Level, number> = { tail: 0, part: 0, chapter: 1, section: 2, roman: 2, article: 3, clause: 4, subclause: 5, point: 6 };

interface Node {
  level: Level | 'root';
  label: string;
  title: string;
  /** The node's own lines, before its first child. */
  lines: string[];
  children: Node[];
  /** Whether the heading line was taken out of `lines` (a title, not content). */
  titled: boolean;
  /**
   * fullText without the heading, kept once worked out: placing a part asks for it at every
   * level above and again for the part itself, which rebuilt the whole text once per level.
   */
  body?: string;
}

interface Heading {
  level: Level;
  label: string;
  title: string;
  /** Whether the heading line is also content (a khoản's first sentence) or only a title. */
  keepLine: boolean;
  /** The title is on the next line ("Chương I" / "QUY ĐỊNH CHUNG"). */
  titleOnNextLine: boolean;
}

const ROMAN = '[IVXLC]{1,7}';
const PATTERNS: Array<[Level, RegExp]> = [
  ['part', new RegExp(`^(phan\\s+(?:thu\\s+[a-z]+|${ROMAN}|\\d+))\\b\\s*[.:\\-–]?\\s*(.*)$`, 'i')],
  ['chapter', new RegExp(`^(chuong\\s+(?:${ROMAN}|\\d+))\\b\\s*[.:\\-–]?\\s*(.*)$`, 'i')],
  ['section', new RegExp(`^(muc\\s+(?:\\d+|${ROMAN}))(?=[\\s.:]|$)\\s*[.:\\-–]?\\s*(.*)$`, 'i')],
  ['article', /^(dieu\s+\d+[a-z]?)\s*[.:]\s*(.*)$/i],
  ['tail', /^(noi nhan)\s*:\s*(.*)$/i],
];
const CANONICAL: Partial<Record<Level, string>> = { part: 'Phần', chapter: 'Chương', section: 'Mục', article: 'Điều' };
// Case matters below: Roman numerals are capitals, points are small letters.
const ROMAN_LINE = new RegExp(`^(${ROMAN})[.)]\\s+(\\S.*)$`);
const SUBCLAUSE_LINE = /^(\d{1,3}\.\d{1,3})\.?\s+(\S.*)$/;
const CLAUSE_LINE = /^(\d{1,3})[.)]\s+(\S.*)$/;
const POINT_LINE = /^([a-zđ])[.)]\s+(\S.*)$/;

/** A khoản or point line short enough, and without a full stop, to be a title ("1. Mục đích"). */
function isTitleLike(rest: string): boolean {
  return rest.length <= 80 && !/[.;:?!…]$/.test(rest.trim());
}

function detectHeading(line: string, folded: string, insideArticle: boolean): Heading | null {
  for (const [level, re] of PATTERNS) {
    const m = re.exec(folded);
    if (!m) continue;
    const title = line.slice(folded.length - m[2]!.length).trim();
    if (level === 'tail') return { level, label: 'Nơi nhận', title: '', keepLine: true, titleOnNextLine: false };
    // "Điều 2. Quyết định này có hiệu lực từ ngày ký." holds the content itself: a title never ends a sentence.
    const content = /[.;:!?…]$/.test(title);
    // The label is written the canonical way whatever the input ("CHUONG ii" → "Chương II").
    const number = line.slice(0, m[1]!.length).replace(/^\S+\s+/, '').replace(/\s+/g, ' ');
    const label = `${CANONICAL[level]} ${/^[ivxlc]+$/i.test(number) ? number.toUpperCase() : number.toLowerCase()}`;
    return { level, label, title: content ? '' : title, keepLine: content, titleOnNextLine: title === '' };
  }
  let m = ROMAN_LINE.exec(line);
  if (m && !insideArticle) return { level: 'roman', label: `Phần ${m[1]}`, title: m[2]!.trim(), keepLine: false, titleOnNextLine: false };
  const numbered = (level: Level, name: string): Heading => {
    const rest = m![2]!.trim();
    const titled = !insideArticle && isTitleLike(rest);
    return { level, label: `${name} ${m![1]}`, title: titled ? rest : '', keepLine: !titled, titleOnNextLine: false };
  };
  m = SUBCLAUSE_LINE.exec(line);
  if (m) return numbered('subclause', insideArticle ? 'Khoản' : 'Mục');
  m = CLAUSE_LINE.exec(line);
  if (m) return numbered('clause', insideArticle ? 'Khoản' : 'Mục');
  m = POINT_LINE.exec(line);
  if (m) return numbered('point', 'Điểm');
  return null;
}

/** Parses the text into a tree of parts. */
function parse(text: string): Node {
  const root: Node = { level: 'root', label: '', title: '', lines: [], children: [], titled: false };
  const stack: Node[] = [root];
  const lines = text.normalize('NFC').replace(/\r\n?/g, '\n').replace(/\t/g, ' ').split('\n');
  let awaitingTitle: Node | null = null;
  let inTail = false;
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '') {
      stack[stack.length - 1]!.lines.push('');
      continue;
    }
    if (awaitingTitle) {
      const node = awaitingTitle;
      awaitingTitle = null;
      // The title line of a Chương/Mục/Phần is written in capitals.
      if (line === line.toUpperCase() && /\p{L}/u.test(line) && !detectHeading(line, foldAligned(line), false)) {
        node.title = line;
        continue;
      }
    }
    const insideArticle = stack.some((n) => n.level === 'article');
    const heading = inTail ? null : detectHeading(line, foldAligned(line), insideArticle);
    if (!heading) {
      stack[stack.length - 1]!.lines.push(line);
      continue;
    }
    const rank = RANK[heading.level];
    while (stack.length > 1 && RANK[stack[stack.length - 1]!.level as Level] >= rank) stack.pop();
    const node: Node = {
      level: heading.level,
      label: heading.label,
      title: heading.title,
      lines: heading.keepLine ? [line] : [],
      children: [],
      titled: !heading.keepLine,
    };
    stack[stack.length - 1]!.children.push(node);
    stack.push(node);
    if (heading.titleOnNextLine) awaitingTitle = node;
    if (heading.level === 'tail') inTail = true;
  }
  return root;
}

function ownText(node: Node): string {
  return node.lines.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

/**
 * A node's text with its parts'; a part's title line is put back ("1. Mục đích") because inside
 * its parent's chunk only the parent's heading is shown.
 */
function fullText(node: Node, withHeading = false): string {
  const head = withHeading && node.titled ? headingLine(node) : '';
  node.body ??= [ownText(node), ...node.children.map((c) => fullText(c, true))].filter(Boolean).join('\n');
  return head && node.body ? `${head}\n${node.body}` : head || node.body;
}

/** The heading as the document writes it: "Điều 5. Trách nhiệm…", "1. Mục đích", "I. MỤC ĐÍCH". */
function headingLine(node: Node): string {
  const marker = /^(?:Phần|Mục) ([IVXLC]+|\d+(?:\.\d+)?)$/.exec(node.label);
  const lead = marker && (node.level === 'roman' || node.level === 'clause' || node.level === 'subclause') ? `${marker[1]}.` : `${node.label}.`;
  return node.title ? `${lead} ${node.title}` : lead;
}

function headingOf(node: Node): string {
  return node.title ? `${node.label}. ${node.title}` : node.label;
}

/** A piece to place: a node, or a parent's own text before its first child. */
interface Piece {
  node: Node;
  path: Node[];
  introOnly: boolean;
  text: string;
}

/**
 * Chunks a document along its legal structure.
 *
 * @example
 * chunkLegalText({ id: 'nd-118-2025', title: 'Nghị định 118/2025/NĐ-CP', text, validity: { effectiveAt: '2025-07-01' } })
 * // → [{ id: 'nd-118-2025#1', headingPath: [], … }, { id: 'nd-118-2025#2', headingPath: ['Chương I', 'Điều 1'], … }, …]
 */
export function chunkLegalText(doc: LegalTextInput): LegalChunk[] {
  const root = parse(doc.text);
  const hasArticles = containsLevel(root, 'article');
  const out: Array<{ path: Node[]; text: string }> = [];

  const emit = (path: Node[], text: string): void => {
    for (const piece of splitText(text, MAX_CHUNK_CHARS)) out.push({ path, text: piece });
  };

  const place = (node: Node, path: Node[]): void => {
    const text = fullText(node);
    if (!text) {
      // A part that is only a heading ("Điều 4. (Bãi bỏ)") still says something.
      if (node.title) emit(path, headingLine(node));
      return;
    }
    // Above an Điều, parts always split so that each Điều is its own chunk.
    const mustSplit = node.children.length > 0 && (node.level === 'root' || (hasArticles && RANK[node.level as Level] < RANK.article));
    if (!mustSplit && text.length <= MAX_CHUNK_CHARS) return emit(path, text);
    if (node.children.length === 0) return emit(path, text);

    const pieces: Piece[] = [];
    const intro = ownText(node);
    if (intro) pieces.push({ node, path, introOnly: true, text: intro });
    for (const child of node.children) pieces.push({ node: child, path: [...path, child], introOnly: false, text: fullText(child, true) });

    const packable = !mustSplit;
    let group: Piece[] = [];
    const flush = (): void => {
      if (group.length === 0) return;
      if (group.length === 1) {
        const [only] = group;
        if (only!.introOnly) emit(only!.path, only!.text);
        else place(only!.node, only!.path);
      } else {
        emit(groupPath(path, group), group.map((p) => p.text).join('\n'));
      }
      group = [];
    };
    for (const piece of pieces) {
      if (!piece.text) continue;
      const size = group.reduce((n, p) => n + p.text.length + 1, 0);
      const fits = packable && piece.text.length <= MAX_CHUNK_CHARS && size + piece.text.length <= MAX_CHUNK_CHARS;
      if (!fits) flush();
      group.push(piece);
      if (!packable || piece.text.length > MAX_CHUNK_CHARS) flush();
    }
    flush();
  };

  place(root, []);
  const validity = ChunkValiditySchema.parse(doc.validity ?? {});
  return out.map((c, i) => ({
    id: `${doc.id}#${i + 1}`,
    docId: doc.id,
    headingPath: c.path.map((n) => n.label),
    heading: c.path.length === 0 ? doc.title : c.path.map(headingOf).join(' › '),
    text: c.text,
    validity,
  }));
}

function containsLevel(node: Node, level: Level): boolean {
  return node.children.some((c) => c.level === level || containsLevel(c, level));
}

/**
 * The path of several neighbours packed into one chunk: the parent's when its own text leads,
 * else the parent's plus a range ("Khoản 1–3").
 */
function groupPath(parent: Node[], group: readonly Piece[]): Node[] {
  if (group[0]!.introOnly) return parent;
  const first = group[0]!.node;
  const last = group[group.length - 1]!.node;
  const name = `${first.label.split(' ')[0]} `;
  const range = `${first.label}–${last.label.startsWith(name) ? last.label.slice(name.length) : last.label}`;
  return [...parent, { level: first.level, label: range, title: '', lines: [], children: [], titled: false }];
}

/**
 * Cuts text into pieces of at most `max` characters: between paragraphs when it can, else between
 * sentences, else (one very long sentence) after a semicolon, comma or space.
 */
export function splitText(text: string, max: number): string[] {
  const trimmed = text.trim();
  if (trimmed.length <= max) return trimmed ? [trimmed] : [];
  // Each unit remembers whether it opens a paragraph, so packing keeps the line breaks.
  const units: Array<{ text: string; opens: boolean }> = [];
  for (const para of trimmed.split(/\n+/)) {
    const parts = para.length <= max ? [para] : sentencesOf(para).flatMap((s) => cutLong(s, max));
    parts.forEach((text, i) => units.push({ text, opens: i === 0 }));
  }
  const out: string[] = [];
  let buf = '';
  for (const unit of units) {
    const joiner = buf === '' ? '' : unit.opens ? '\n' : ' ';
    if (buf && buf.length + joiner.length + unit.text.length > max) {
      out.push(buf);
      buf = unit.text;
    } else {
      buf += joiner + unit.text;
    }
  }
  if (buf) out.push(buf);
  return out;
}

/** Sentences end with . ! ? … or ; and the next one starts with a capital, a digit or a quote. */
function sentencesOf(para: string): string[] {
  return para.split(/(?<=[.!?…;])\s+(?=[\p{Lu}\d"“(])/u).filter(Boolean);
}

function cutLong(sentence: string, max: number): string[] {
  const out: string[] = [];
  let rest = sentence.trim();
  while (rest.length > max) {
    const window = rest.slice(0, max);
    let at = Math.max(window.lastIndexOf('; '), window.lastIndexOf(', '));
    if (at < max / 2) at = window.lastIndexOf(' ');
    if (at <= 0) at = max - 1;
    out.push(rest.slice(0, at + 1).trim());
    rest = rest.slice(at + 1).trim();
  }
  if (rest) out.push(rest);
  return out;
}
