/**
 * A strict parser for the XML the report writes (Node has none): one root element, balanced and
 * properly nested tags, quoted and unique attributes, only the predefined and numeric entities,
 * comments and an optional declaration. Anything else throws, so a test passing means well-formed.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text, entities decoded (text of children not included). */
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;

export function parseXml(src: string): XmlElement {
  let i = 0;
  const fail = (why: string): never => {
    throw new SyntaxError(`${why} at offset ${i}: ${JSON.stringify(src.slice(i, i + 40))}`);
  };
  const name = (): string => {
    NAME.lastIndex = i;
    const m = NAME.exec(src) ?? fail('expected a name');
    i += m[0].length;
    return m[0];
  };
  const space = () => {
    while (i < src.length && ' \t\r\n'.includes(src[i]!)) i++;
  };
  const decode = (raw: string): string =>
    raw.replace(/&([^;]*);|&|</g, (all, ent: string | undefined) => {
      if (ent === undefined) return fail(`bare '${all}' in text or attribute`);
      if (ent in ENTITIES) return ENTITIES[ent]!;
      const code = ent.startsWith('#x') ? parseInt(ent.slice(2), 16) : ent.startsWith('#') ? parseInt(ent.slice(1), 10) : NaN;
      return Number.isInteger(code) ? String.fromCodePoint(code) : fail(`unknown entity &${ent};`);
    });
  const misc = () => {
    for (;;) {
      space();
      if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else if (src.startsWith('<?', i)) {
        const end = src.indexOf('?>', i);
        if (end < 0) fail('unterminated declaration');
        i = end + 2;
      } else return;
    }
  };
  const element = (): XmlElement => {
    if (src[i] !== '<') fail("expected '<'");
    i++;
    const el: XmlElement = { name: name(), attrs: {}, children: [], text: '' };
    for (;;) {
      const before = i;
      space();
      if (src.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (src[i] === '>') {
        i++;
        break;
      }
      if (i === before) fail('expected space before an attribute');
      const key = name();
      if (key in el.attrs) fail(`duplicate attribute ${key}`);
      space();
      if (src[i++] !== '=') fail("expected '='");
      space();
      const quote = src[i++];
      if (quote !== '"' && quote !== "'") fail('expected a quoted value');
      const end = src.indexOf(quote, i);
      if (end < 0) fail('unterminated attribute value');
      el.attrs[key] = decode(src.slice(i, end));
      i = end + 1;
    }
    for (;;) {
      const lt = src.indexOf('<', i);
      if (lt < 0) fail(`unclosed <${el.name}>`);
      el.text += decode(src.slice(i, lt));
      i = lt;
      if (src.startsWith('</', i)) {
        i += 2;
        if (name() !== el.name) fail(`mismatched close of <${el.name}>`);
        space();
        if (src[i++] !== '>') fail("expected '>'");
        return el;
      }
      if (src.startsWith('<!--', i)) misc();
      else el.children.push(element());
    }
  };
  misc();
  const root = element();
  misc();
  if (i !== src.length) fail('content after the root element');
  return root;
}

/** Every element under (and including) `root`, in document order. */
export function descendants(root: XmlElement): XmlElement[] {
  return [root, ...root.children.flatMap(descendants)];
}
