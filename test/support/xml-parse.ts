/**
 * A strict little XML reader for tests: elements, attributes in quotes, text and the five
 * named entities plus numeric ones; anything else (an unescaped "<" or "&", a tag left open,
 * a stray closing tag, a repeated attribute) throws. Enough to prove an SVG we wrote is
 * well-formed and to read back the text it carries.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: Array<XmlElement | string>;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const NAME = '[A-Za-z_][\\w.:-]*';

function decode(s: string, where: number): string {
  if (s.includes('<')) throw new Error(`raw "<" at ${where}`);
  return s.replace(/&([^;]*);?/g, (m, body: string) => {
    if (!m.endsWith(';')) throw new Error(`raw "&" at ${where}`);
    if (body in NAMED) return NAMED[body]!;
    const n = /^#x([0-9a-f]+)$/i.exec(body) ? parseInt(body.slice(2), 16) : /^#(\d+)$/.exec(body) ? Number(body.slice(1)) : NaN;
    if (Number.isNaN(n)) throw new Error(`unknown entity &${body}; at ${where}`);
    return String.fromCodePoint(n);
  });
}

export function parseXml(xml: string): XmlElement {
  let i = 0;
  const src = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const tag = new RegExp(`^<(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"]*"|'[^']*'))*)\\s*(/?)>`);
  const attr = new RegExp(`(${NAME})\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'g');
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  while (i < src.length) {
    if (src.startsWith('</', i)) {
      const m = new RegExp(`^</(${NAME})\\s*>`).exec(src.slice(i));
      const open = stack.pop();
      if (!m || !open || open.name !== m[1]) throw new Error(`unexpected closing tag at ${i}`);
      i += m[0].length;
      continue;
    }
    if (src[i] === '<') {
      const m = tag.exec(src.slice(i));
      if (!m) throw new Error(`malformed tag at ${i}: ${src.slice(i, i + 40)}`);
      const el: XmlElement = { name: m[1]!, attrs: {}, children: [] };
      for (const a of m[2]!.matchAll(attr)) {
        if (a[1]! in el.attrs) throw new Error(`repeated attribute ${a[1]} at ${i}`);
        el.attrs[a[1]!] = decode(a[2] ?? a[3]!, i);
      }
      if (stack.length) stack[stack.length - 1]!.children.push(el);
      else if (root) throw new Error(`second root element at ${i}`);
      else root = el;
      if (!m[3]) stack.push(el);
      i += m[0].length;
      continue;
    }
    const end = src.indexOf('<', i);
    const text = src.slice(i, end < 0 ? src.length : end);
    if (!stack.length) {
      if (text.trim()) throw new Error(`text outside the root at ${i}`);
    } else stack[stack.length - 1]!.children.push(decode(text, i));
    i += text.length;
  }
  if (stack.length || !root) throw new Error('unclosed element or no root');
  return root;
}

/** Every element under (and including) el, depth first. */
export function allElements(el: XmlElement): XmlElement[] {
  return [el, ...el.children.flatMap((c) => (typeof c === 'string' ? [] : allElements(c)))];
}

export function textOf(el: XmlElement): string {
  return el.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
}
