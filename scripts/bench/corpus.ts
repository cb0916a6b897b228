/**
 * @module scripts/bench/corpus
 * Scales the knowledge bundle up to N chunks with perturbed copies, for the search bench.
 * A copy reads like the same kind of document from another province: the province and the
 * people are renamed, every number changes, lines are shuffled, one line is swapped for a
 * line of another chunk, and a few syllables are replaced by others from the corpus. So the
 * vocabulary grows the way a real collection's does, and the copies compete with the
 * originals for every question (a hit on a copy never counts as an answer).
 * Deterministic: the same seed gives the same corpus.
 */
import type { Chunk, DocumentMeta, KnowledgeBundle } from '../../src/knowledge/schema';

const PROVINCES = [
  'An Giang', 'Bà Rịa - Vũng Tàu', 'Bắc Giang', 'Bắc Kạn', 'Bạc Liêu', 'Bắc Ninh', 'Bến Tre', 'Bình Định',
  'Bình Phước', 'Bình Thuận', 'Cà Mau', 'Cao Bằng', 'Đắk Lắk', 'Đắk Nông', 'Điện Biên', 'Đồng Nai',
  'Đồng Tháp', 'Gia Lai', 'Hà Giang', 'Hà Nam', 'Hà Tĩnh', 'Hải Dương', 'Hòa Bình', 'Hưng Yên',
  'Khánh Hòa', 'Kiên Giang', 'Kon Tum', 'Lai Châu', 'Lâm Đồng', 'Lạng Sơn', 'Lào Cai', 'Long An',
  'Nam Định', 'Nghệ An', 'Ninh Bình', 'Ninh Thuận', 'Phú Thọ', 'Phú Yên', 'Quảng Bình', 'Quảng Nam',
  'Quảng Ngãi', 'Quảng Ninh', 'Quảng Trị', 'Sóc Trăng', 'Sơn La', 'Tây Ninh', 'Thái Bình', 'Thái Nguyên',
  'Thanh Hóa', 'Thừa Thiên Huế', 'Tiền Giang', 'Trà Vinh', 'Tuyên Quang', 'Vĩnh Long', 'Vĩnh Phúc', 'Yên Bái',
];
const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý'];
const MIDDLE = ['Văn', 'Thị', 'Hữu', 'Đức', 'Minh', 'Quốc', 'Thanh', 'Hoàng', 'Ngọc', 'Công', 'Xuân', 'Trọng'];
const GIVEN = ['An', 'Bình', 'Cường', 'Dũng', 'Giang', 'Hải', 'Hùng', 'Khoa', 'Lâm', 'Long', 'Nam', 'Phong', 'Quang', 'Sơn', 'Tâm', 'Thắng', 'Trung', 'Tuấn', 'Việt', 'Vinh'];
const ORIGINAL_PROVINCES = ['Bình Dương', 'Hậu Giang'];
const ORIGINAL_PEOPLE = [
  'Nguyễn Văn Lợi', 'Võ Văn Minh', 'Lý Văn Đẹp', 'Nguyễn Hoàng Thao', 'Mai Hùng Dũng', 'Nguyễn Lộc Hà',
  'Lê Tiến Châu', 'Đồng Văn Thanh', 'Trương Cảnh Tuyên',
];

/** mulberry32: a small seeded PRNG, so corpora are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

interface CopyContext {
  r: () => number;
  province: string;
  people: Map<string, string>;
  vocabulary: string[];
  lines: string[];
}

function perturbText(text: string, ctx: CopyContext, shuffle: boolean): string {
  const { r } = ctx;
  let out = text;
  for (const p of ORIGINAL_PROVINCES) out = out.split(p).join(ctx.province);
  for (const [from, to] of ctx.people) {
    out = out.split(from).join(to);
    // "ông Lợi": the given name alone
    out = out.split(` ${from.split(' ').pop()}`).join(` ${to.split(' ').pop()}`);
  }
  out = out.replace(/\d+/g, (m) => {
    const n = Math.floor(r() * 10 ** m.length);
    return String(n).padStart(m.length, '0');
  });
  let lines = out.split('\n');
  if (shuffle && lines.length > 1) {
    lines = lines.map((l) => [r(), l] as const).sort((a, b) => a[0] - b[0]).map(([, l]) => l);
    lines[Math.floor(r() * lines.length)] = pick(r, ctx.lines);
  }
  // ~5% of syllables swapped for random corpus syllables.
  return lines
    .map((line) =>
      line
        .split(' ')
        .map((w) => (w && r() < 0.05 ? pick(r, ctx.vocabulary) : w))
        .join(' '),
    )
    .join('\n');
}

/**
 * The bundle grown to `target` chunks: the originals first, then perturbed copies of whole
 * documents (ids `<doc>~<n>`), the last one cut to fit. The serialised index is dropped.
 */
export function scaleBundle(bundle: KnowledgeBundle, target: number, seed = 1): KnowledgeBundle {
  const documents: DocumentMeta[] = [...bundle.documents];
  const chunks: Chunk[] = [...bundle.chunks];
  if (target <= chunks.length) return { version: 1, documents, chunks: chunks.slice(0, Math.max(target, 0)) };
  const r = rng(seed);
  const vocabulary = [...new Set(bundle.chunks.flatMap((c) => c.text.split(/\s+/)).filter((w) => /^\p{L}+$/u.test(w)))];
  const lines = bundle.chunks.flatMap((c) => c.text.split('\n')).filter((l) => l.trim());
  const byDoc = new Map<string, Chunk[]>();
  for (const c of bundle.chunks) byDoc.set(c.docId, [...(byDoc.get(c.docId) ?? []), c]);
  for (let copy = 1; chunks.length < target; copy++) {
    for (const doc of bundle.documents) {
      if (chunks.length >= target) break;
      const people = new Map(ORIGINAL_PEOPLE.map((p) => [p, `${pick(r, FAMILY)} ${pick(r, MIDDLE)} ${pick(r, GIVEN)}`]));
      const ctx: CopyContext = { r, province: pick(r, PROVINCES), people, vocabulary, lines };
      const id = `${doc.id}~${copy}`;
      documents.push({
        ...doc,
        id,
        title: perturbText(doc.title, ctx, false),
        keywords: doc.keywords.map((k) => perturbText(k, ctx, false)),
      });
      for (const c of byDoc.get(doc.id) ?? []) {
        if (chunks.length >= target) break;
        chunks.push({ id: `${id}#${c.id.split('#')[1]}`, docId: id, heading: perturbText(c.heading, ctx, false), text: perturbText(c.text, ctx, true) });
      }
    }
  }
  return { version: 1, documents, chunks };
}

/**
 * The scaled corpus as bench:knowledge and the sharded-segment tests publish it live: copies' ids
 * (`<doc>~<n>`) are not ids an operator could give, so they are renamed `copy-<n>` (the originals
 * keep theirs, for recall).
 */
export function liveCorpus(bundle: KnowledgeBundle, target: number, seed = 1): KnowledgeBundle {
  const { index: _index, ...plain } = scaleBundle(bundle, target, seed);
  const rename = new Map(plain.documents.map((d, i) => [d.id, /^[a-z0-9][a-z0-9-]{0,79}$/.test(d.id) ? d.id : `copy-${i}`]));
  return {
    ...plain,
    documents: plain.documents.map((d) => ({ ...d, id: rename.get(d.id)! })),
    chunks: plain.chunks.map((c) => ({ ...c, docId: rename.get(c.docId)! })),
  };
}
