/**
 * @module procedures/documents
 * Procedure records as knowledge documents (kind "procedure"), one `## ` section per field, so
 * the knowledge search (and the free-question handler) can find and quote them like any other
 * document. Built from the records only; nothing is added that the record does not hold.
 */
import type { KnowledgeDocument } from '../knowledge/schema';
import type { Channel, FeePeriod, Procedure, Rule } from './schema';

const CHANNEL_LABEL: Record<Channel['kind'], string> = { 'in-person': 'Trực tiếp', online: 'Trực tuyến', post: 'Qua bưu chính' };
const LEVEL_LABEL = { commune: 'cấp xã', province: 'cấp tỉnh', central: 'cấp trung ương' } as const;

export function procedureDocument(p: Procedure): KnowledgeDocument {
  const sections: Array<[string, string[]]> = [
    ['Lĩnh vực', [p.field]],
    ['Nơi làm', [p.agency, p.level && `${LEVEL_LABEL[p.level.value]}${p.level.since ? ` từ ${p.level.since}` : ''}`, p.level?.note].filter(isText)],
    ['Thời hạn giải quyết', channelLines(p, 'timeLimit')],
    ['Lệ phí', [...channelLines(p, 'fee'), ...p.feePeriods.map((f) => `${f.value}${periodOf(f)}${f.basis ? ` (${f.basis})` : ''}${f.note ? ` ${f.note}` : ''}`)]],
    ['Hạn người dân phải làm', p.deadline ? [ruleLine(p.deadline)] : []],
    ['Giá trị sử dụng', p.validity ? [ruleLine(p.validity)] : []],
    ['Giấy tờ không phải nộp', p.notRequired.map((n) => `- ${n.name}${n.note ? ` — ${n.note}` : ''}${n.basis ? ` (${n.basis}${n.since ? `, từ ${n.since}` : ''})` : ''}`)],
    ['Nộp hồ sơ', p.channels.map((c) => `${CHANNEL_LABEL[c.kind]}: ${[c.where, c.note].filter(isText).join('. ') || 'có'}`)],
    ['Giấy tờ', p.documents.map((d) => `- ${d.name}${d.form ? ` (mẫu ${d.form})` : ''}${d.when ? ` — ${d.when}` : ''}`)],
    ['Các bước', p.steps.map((s, i) => `${i + 1}. ${s}`)],
    ['Đối tượng', p.applicants.map((a) => `- ${a}`)],
    ['Kết quả', [p.result].filter(isText)],
    ['Căn cứ pháp lý', p.legalBasis.map((l) => `- ${l}`)],
    ['Lưu ý', p.notes.map((n) => `- ${n}`)],
  ];
  const text = sections
    .filter(([, lines]) => lines.length > 0)
    .map(([heading, lines]) => `## ${heading}\n${lines.join('\n')}`)
    .join('\n\n');
  return {
    id: p.id,
    title: p.code ? `${p.name} (mã ${p.code})` : p.name,
    source: 'Hồ sơ thủ tục hành chính của trợ lý CCHC',
    date: p.asOf,
    kind: 'procedure',
    ...(p.portalUrl ? { url: p.portalUrl } : {}),
    keywords: [p.field, ...p.aliases],
    text,
  };
}

export function procedureDocuments(procedures: readonly Procedure[]): KnowledgeDocument[] {
  return procedures.map(procedureDocument);
}

function channelLines(p: Procedure, key: 'timeLimit' | 'fee'): string[] {
  return p.channels.filter((c) => c[key]).map((c) => `${CHANNEL_LABEL[c.kind]}: ${c[key]}`);
}

function ruleLine(r: Rule): string {
  return `${r.value}${r.basis ? ` (${r.basis})` : ''}`;
}

/** The period a fee holds for, in the document's words ("áp dụng từ 2025-07-01 đến hết 2025-12-31"). */
function periodOf(f: FeePeriod): string {
  if (f.from && f.until) return `; áp dụng từ ${f.from} đến hết ${f.until}`;
  if (f.until) return `; áp dụng đến hết ${f.until}`;
  return f.from ? `; áp dụng từ ${f.from}` : '';
}

function isText(x: string | undefined | false): x is string {
  return typeof x === 'string' && x.length > 0;
}
