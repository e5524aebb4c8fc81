/**
 * A strict, small XML parser for tests (no XML library is installed): elements, attributes, text, the XML
 * declaration and the five predefined entities plus numeric references. Throws on anything not well-formed
 * (mismatched or unclosed tags, a raw `<` or `&` in text or attributes, duplicate attributes, unquoted values).
 */

/** A parsed element. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = '[A-Za-z_][\\w.:-]*';
const ENTITY = /&(?:(amp|lt|gt|quot|apos)|#(\d+)|#x([0-9a-fA-F]+));/g;
const MAP: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string, where: number): string {
  if (/[<]/.test(s)) throw new Error(`raw < at ${where}`);
  const stripped = s.replace(ENTITY, '');
  if (stripped.includes('&')) throw new Error(`bare & at ${where}: ${s.slice(0, 60)}`);
  return s.replace(ENTITY, (_, named: string | undefined, dec: string | undefined, hex: string | undefined) =>
    named ? MAP[named]! : String.fromCodePoint(dec ? Number(dec) : parseInt(hex!, 16)));
}

/**
 * Parses a document and returns its root element.
 * @param text XML text
 * @returns root element
 * @throws {Error} when the text is not well-formed
 */
export function parseXml(text: string): XmlElement {
  let i = 0;
  const s = text.replace(/^\uFEFF/, '');
  const decl = /^<\?xml[^?]*\?>\s*/.exec(s);
  if (decl) i = decl[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const openRe = new RegExp(`^<(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"]*"|'[^']*'))*)\\s*(/?)>`);
  const attrRe = new RegExp(`(${NAME})\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'g');
  while (i < s.length) {
    const lt = s.indexOf('<', i);
    const chunk = lt === -1 ? s.slice(i) : s.slice(i, lt);
    if (chunk.length > 0) {
      if (stack.length === 0) {
        if (chunk.trim() !== '') throw new Error(`text outside the root element at ${i}`);
      } else stack[stack.length - 1]!.text += decode(chunk, i);
    }
    if (lt === -1) break;
    i = lt;
    if (s.startsWith('</', i)) {
      const m = new RegExp(`^</(${NAME})\\s*>`).exec(s.slice(i));
      if (!m) throw new Error(`bad closing tag at ${i}`);
      const top = stack.pop();
      if (!top || top.name !== m[1]) throw new Error(`closing </${m[1]}> does not match <${top?.name ?? 'nothing'}> at ${i}`);
      i += m[0].length;
      continue;
    }
    if (s.startsWith('<!--', i)) {
      const end = s.indexOf('-->', i);
      if (end === -1) throw new Error('unclosed comment');
      i = end + 3;
      continue;
    }
    const m = openRe.exec(s.slice(i));
    if (!m) throw new Error(`bad tag at ${i}: ${s.slice(i, i + 60)}`);
    const el: XmlElement = { name: m[1]!, attrs: {}, children: [], text: '' };
    for (const a of m[2]!.matchAll(attrRe)) {
      if (a[1]! in el.attrs) throw new Error(`duplicate attribute ${a[1]} at ${i}`);
      el.attrs[a[1]!] = decode(a[2] ?? a[3] ?? '', i);
    }
    if (stack.length > 0) stack[stack.length - 1]!.children.push(el);
    else if (root) throw new Error(`second root element at ${i}`);
    else root = el;
    if (m[3] !== '/') stack.push(el);
    i += m[0].length;
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

/**
 * All descendants with a given name, depth first.
 * @param el start element
 * @param name element name
 * @returns matches
 */
export function findAll(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    for (const c of e.children) {
      if (c.name === name) out.push(c);
      walk(c);
    }
  };
  walk(el);
  return out;
}
