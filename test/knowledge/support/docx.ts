/**
 * @module test/knowledge/support/docx
 * Builds real DOCX files in memory for the extraction tests (Node and workerd alike): a tiny
 * ZIP writer (stored or deflated entries, and the option to lie about an entry's size, as a zip
 * bomb does) and a WordprocessingML writer for paragraphs, tables, numbering and revisions.
 */
import { deflateSync } from 'fflate';

export interface ZipFile {
  name: string;
  data: Uint8Array | string;
  /** 0 stored, 8 deflated (default). */
  method?: 0 | 8;
  /** Overrides the uncompressed size written in the headers (a lying zip bomb). */
  declaredSize?: number;
  /** Replaces the compressed bytes (to cut a stream short). */
  compressed?: Uint8Array;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function writeZip(files: readonly ZipFile[]): Uint8Array {
  const encoder = new TextEncoder();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const file of files) {
    const raw = typeof file.data === 'string' ? encoder.encode(file.data) : file.data;
    const method = file.method ?? 8;
    const body = file.compressed ?? (method === 8 ? deflateSync(raw, { level: 9 }) : raw);
    const name = encoder.encode(file.name);
    const size = file.declaredSize ?? raw.length;
    const crc = crc32(raw);

    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, 0x0800, true); // UTF-8 names
    lv.setUint16(8, method, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, size, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);

    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, 0x0800, true);
    cv.setUint16(10, method, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, size, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);

    locals.push(local, body);
    centrals.push(central);
    offset += local.length + body.length;
  }
  const dirSize = centrals.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, files.length, true);
  ev.setUint16(10, files.length, true);
  ev.setUint32(12, dirSize, true);
  ev.setUint32(16, offset, true);
  return concat([...locals, ...centrals, end]);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export interface Para {
  text: string;
  /** Automatic numbering: the w:numId and w:ilvl of the paragraph. */
  numId?: number;
  ilvl?: number;
  /** Text deleted as a tracked change (Word keeps it in w:delText): must not be read. */
  deleted?: string;
}

/** One paragraph's XML; "\t" becomes a tab and "\n" a line break, as Word writes them. */
export function paragraphXml(p: Para | string): string {
  const para = typeof p === 'string' ? { text: p } : p;
  const numPr = para.numId !== undefined ? `<w:pPr><w:numPr><w:ilvl w:val="${para.ilvl ?? 0}"/><w:numId w:val="${para.numId}"/></w:numPr></w:pPr>` : '';
  const runs = para.text
    .split(/(\t|\n)/)
    .map((part) => (part === '\t' ? '<w:r><w:tab/></w:r>' : part === '\n' ? '<w:r><w:br/></w:r>' : part ? `<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">${esc(part)}</w:t></w:r>` : ''))
    .join('');
  const deleted = para.deleted ? `<w:del w:id="1" w:author="A"><w:r><w:delText>${esc(para.deleted)}</w:delText></w:r></w:del>` : '';
  return `<w:p>${numPr}${deleted}${runs}</w:p>`;
}

/** A two-column table, as the letterhead of an official document is laid out. */
export function tableXml(rows: ReadonlyArray<readonly [string, string]>): string {
  const cell = (text: string) => `<w:tc><w:tcPr><w:tcW w:w="4500" w:type="dxa"/></w:tcPr>${text.split('\n').map((t) => paragraphXml(t)).join('')}</w:tc>`;
  return `<w:tbl><w:tblPr/>${rows.map(([a, b]) => `<w:tr>${cell(a)}${cell(b)}</w:tr>`).join('')}</w:tbl>`;
}

export function documentXml(bodyXml: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ' +
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">' +
    `<w:body>${bodyXml}<w:sectPr/></w:body></w:document>`
  );
}

/** numbering.xml with one list (numId 1): "Điều %1." / "%2." / "%3)" in lowerLetter. */
export const LEGAL_NUMBERING =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
  '<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">' +
  '<w:abstractNum w:abstractNumId="0">' +
  '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="Điều %1."/></w:lvl>' +
  '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>' +
  '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%3)"/></w:lvl>' +
  '</w:abstractNum>' +
  '<w:abstractNum w:abstractNumId="1">' +
  '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>' +
  '</w:abstractNum>' +
  '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>' +
  '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>' +
  '</w:numbering>';

const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
  '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
  '<Default Extension="xml" ContentType="application/xml"/>' +
  '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
  '</Types>';
const RELS =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>' +
  '</Relationships>';

/** A complete .docx: the package parts Word writes, the body, and numbering when given. */
export function makeDocx(bodyXml: string, options: { numbering?: string; document?: Partial<ZipFile> } = {}): Uint8Array {
  const files: ZipFile[] = [
    { name: '[Content_Types].xml', data: CONTENT_TYPES },
    { name: '_rels/.rels', data: RELS },
    { name: 'word/document.xml', data: documentXml(bodyXml), ...options.document },
  ];
  if (options.numbering) files.push({ name: 'word/numbering.xml', data: options.numbering });
  return writeZip(files);
}
