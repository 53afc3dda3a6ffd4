/**
 * A small, strict YAML reader for the deployment files' validation test (no YAML library is a dependency).
 *
 * Supported: block mappings and sequences (including mappings inside sequence items and sequences at the same
 * indentation as their key), plain / single-quoted / double-quoted scalars, one-line flow collections (`[a, "b"]`,
 * `{a: 1}`), literal block scalars (`|`, `|-`, `|+`), comments, `---` document start, anchors (`&a`), aliases (`*a`)
 * and merge keys (`<<: *a`). Anything else (tags, `>` folding, `? ` keys, multi-line flow, tabs) throws, so the test
 * fails instead of reading a file wrongly. Scalars follow the YAML 1.2 core schema (true/false, null/~, ints, floats).
 */
export type YamlValue = null | boolean | number | string | YamlValue[] | YamlMap;
export interface YamlMap {
  [key: string]: YamlValue;
}

export class YamlError extends Error {}

const isMap = (v: YamlValue | undefined): v is YamlMap => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseYaml(text: string, source = '<yaml>'): YamlValue {
  return new MiniYaml(text, source).parseDocument();
}

class MiniYaml {
  private readonly lines: string[];
  private pos = 0;
  private readonly anchors = new Map<string, YamlValue>();

  constructor(text: string, private readonly source: string) {
    this.lines = text.replace(/\r\n/g, '\n').split('\n');
  }

  parseDocument(): YamlValue {
    this.skipBlank();
    if (this.pos < this.lines.length && this.lines[this.pos].trim() === '---') {
      this.pos++;
      this.skipBlank();
    }
    if (this.pos >= this.lines.length) return null;
    const value = this.parseNode(this.indentOf(this.pos));
    this.skipBlank();
    if (this.pos < this.lines.length) this.fail(this.pos, 'unexpected content (bad indentation?)');
    return value;
  }

  private fail(line: number, message: string): never {
    throw new YamlError(`${this.source}:${line + 1}: ${message}: ${JSON.stringify(this.lines[line] ?? '')}`);
  }

  private indentOf(line: number): number {
    const raw = this.lines[line];
    const m = /^( *)/.exec(raw)!;
    if (raw[m[1].length] === '\t') this.fail(line, 'tabs are not allowed for indentation');
    return m[1].length;
  }

  private isBlank(line: number): boolean {
    const t = this.lines[line].trim();
    return t === '' || t.startsWith('#');
  }

  private skipBlank(): void {
    while (this.pos < this.lines.length && this.isBlank(this.pos)) this.pos++;
  }

  /** The content of the current line from column `col`, without a trailing comment. */
  private content(line: number, col: number): string {
    return stripComment(this.lines[line].slice(col), () => this.fail(line, 'unterminated quote')).trim();
  }

  private static isSeqItem(text: string): boolean {
    return text === '-' || text.startsWith('- ');
  }

  private parseNode(indent: number): YamlValue {
    this.skipBlank();
    const text = this.content(this.pos, indent);
    return MiniYaml.isSeqItem(text) ? this.parseSequence(indent) : this.parseMapping(indent);
  }

  private parseSequence(indent: number): YamlValue[] {
    const out: YamlValue[] = [];
    for (;;) {
      this.skipBlank();
      if (this.pos >= this.lines.length) break;
      const ind = this.indentOf(this.pos);
      if (ind < indent) break;
      if (ind > indent) this.fail(this.pos, 'bad indentation in sequence');
      const text = this.content(this.pos, ind);
      if (!MiniYaml.isSeqItem(text)) break;
      const raw = this.lines[this.pos];
      const after = raw.slice(ind + 1);
      const itemCol = ind + 1 + (/^( *)/.exec(after)![1].length);
      const item = this.content(this.pos, itemCol);
      if (item === '') {
        // "-" alone: the item is the nested block below.
        const line = this.pos++;
        this.skipBlank();
        if (this.pos >= this.lines.length || this.indentOf(this.pos) <= ind) this.fail(line, 'empty sequence item');
        out.push(this.parseNode(this.indentOf(this.pos)));
      } else if (findKeyColon(item) >= 0 && !/^[[{"'&*|]/.test(item)) {
        // "- key: value": a mapping whose first key sits at itemCol. Re-read this line as if indented there.
        this.lines[this.pos] = ' '.repeat(itemCol) + raw.slice(itemCol);
        out.push(this.parseMapping(itemCol));
      } else {
        const line = this.pos++;
        out.push(this.parseInlineValue(item, line, ind));
      }
    }
    return out;
  }

  private parseMapping(indent: number): YamlMap {
    const out: YamlMap = {};
    const merged: YamlMap[] = [];
    for (;;) {
      this.skipBlank();
      if (this.pos >= this.lines.length) break;
      const ind = this.indentOf(this.pos);
      if (ind < indent) break;
      if (ind > indent) this.fail(this.pos, 'bad indentation in mapping');
      const text = this.content(this.pos, ind);
      if (MiniYaml.isSeqItem(text)) break; // the parent's sequence continues
      if (text === '---') this.fail(this.pos, 'only one document is supported');
      if (text.startsWith('? ')) this.fail(this.pos, 'complex keys are not supported');
      const colon = findKeyColon(text);
      if (colon < 0) this.fail(this.pos, 'expected "key: value"');
      const key = parseKey(text.slice(0, colon).trim(), () => this.fail(this.pos, 'bad key'));
      const rest = text.slice(colon + 1).trim();
      const line = this.pos++;
      if (key in out) this.fail(line, `duplicate key ${JSON.stringify(key)}`);
      const value = this.parseValueAfterKey(rest, line, ind);
      if (key === '<<') {
        const sources = Array.isArray(value) ? value : [value];
        for (const s of sources) {
          if (!isMap(s)) this.fail(line, 'a merge key needs a mapping (or a list of mappings)');
          merged.push(s);
        }
      } else {
        out[key] = value;
      }
    }
    // Merge keys: explicit keys win, then earlier sources over later ones.
    for (const src of merged) {
      for (const [k, v] of Object.entries(src)) if (!(k in out)) out[k] = v;
    }
    return out;
  }

  /** The value of "key: rest" at indentation `indent` (the nested block, if rest is empty). */
  private parseValueAfterKey(rest: string, line: number, indent: number): YamlValue {
    const anchor = /^&([^\s]+)\s*(.*)$/.exec(rest);
    if (anchor) {
      const value = this.parseValueAfterKey(anchor[2], line, indent);
      this.anchors.set(anchor[1], value);
      return value;
    }
    if (rest !== '') return this.parseInlineValue(rest, line, indent);
    this.skipBlank();
    if (this.pos >= this.lines.length) return null;
    const next = this.indentOf(this.pos);
    if (next > indent) return this.parseNode(next);
    if (next === indent && MiniYaml.isSeqItem(this.content(this.pos, next))) return this.parseSequence(next);
    return null;
  }

  private parseInlineValue(text: string, line: number, indent: number): YamlValue {
    if (text.startsWith('*')) {
      const name = text.slice(1);
      if (!this.anchors.has(name)) this.fail(line, `unknown alias *${name}`);
      return this.anchors.get(name)!;
    }
    if (text.startsWith('&')) this.fail(line, 'anchors are only supported after "key:"');
    if (text.startsWith('!')) this.fail(line, 'tags are not supported');
    if (text.startsWith('>')) this.fail(line, 'folded block scalars are not supported');
    if (/^\|[-+]?$/.test(text)) return this.parseBlockScalar(text, indent);
    if (text.startsWith('|')) this.fail(line, 'unsupported block scalar header');
    if (text.startsWith('[') || text.startsWith('{')) {
      const flow = new FlowReader(text, () => this.fail(line, 'bad flow collection (must be on one line)'));
      const value = flow.readValue();
      flow.end();
      return value;
    }
    return parseScalar(text, () => this.fail(line, 'bad scalar'));
  }

  private parseBlockScalar(header: string, parentIndent: number): string {
    const body: string[] = [];
    let blockIndent = -1;
    while (this.pos < this.lines.length) {
      const raw = this.lines[this.pos];
      if (raw.trim() === '') {
        body.push('');
        this.pos++;
        continue;
      }
      const ind = this.indentOf(this.pos);
      if (ind <= parentIndent) break;
      if (blockIndent < 0) blockIndent = ind;
      if (ind < blockIndent) this.fail(this.pos, 'bad indentation in block scalar');
      body.push(raw.slice(blockIndent));
      this.pos++;
    }
    // Trailing blank lines belong to the chomping, not the content.
    let trailing = 0;
    while (body.length && body[body.length - 1] === '') {
      body.pop();
      trailing++;
    }
    const textBody = body.join('\n');
    if (textBody === '') return '';
    if (header === '|-') return textBody;
    if (header === '|+') return textBody + '\n'.repeat(trailing + 1);
    return textBody + '\n';
  }
}

/** Index of the ':' that ends a mapping key (followed by a space or the end), outside quotes; -1 if none. */
function findKeyColon(text: string): number {
  let i = 0;
  if (text.startsWith('"') || text.startsWith("'")) {
    const q = text[0];
    i = 1;
    while (i < text.length) {
      if (q === '"' && text[i] === '\\') i += 2;
      else if (text[i] === q && q === "'" && text[i + 1] === "'") i += 2;
      else if (text[i] === q) break;
      else i++;
    }
    i++;
    return text[i] === ':' && (i + 1 === text.length || text[i + 1] === ' ') ? i : -1;
  }
  if (text.startsWith('[') || text.startsWith('{')) return -1;
  for (; i < text.length; i++) {
    if (text[i] === ':' && (i + 1 === text.length || text[i + 1] === ' ')) return i;
  }
  return -1;
}

function parseKey(raw: string, fail: () => never): string {
  if (raw.startsWith('"') || raw.startsWith("'")) {
    const v = parseScalar(raw, fail);
    if (typeof v !== 'string') fail();
    return v;
  }
  if (raw === '' || /^[&*!|>%@`]/.test(raw)) fail();
  return raw;
}

/** Removes a trailing comment (" #..." outside quotes). */
function stripComment(text: string, fail: () => never): string {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (quote === '"' && c === '\\') i++;
      else if (c === quote) {
        if (quote === "'" && text[i + 1] === "'") i++;
        else quote = null;
      }
    } else if (c === '#' && (i === 0 || text[i - 1] === ' ')) {
      return text.slice(0, i);
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:-]/.test(text[i - 1]))) {
      quote = c;
    }
  }
  if (quote) fail();
  return text;
}

function parseScalar(text: string, fail: () => never): YamlValue {
  if (text.startsWith('"')) {
    if (!text.endsWith('"') || text.length < 2) fail();
    return unescapeDouble(text.slice(1, -1), fail);
  }
  if (text.startsWith("'")) {
    if (!text.endsWith("'") || text.length < 2) fail();
    const inner = text.slice(1, -1);
    if (/(^|[^'])'($|[^'])/.test(inner.replace(/''/g, ''))) fail();
    return inner.replace(/''/g, "'");
  }
  if (text === '' || text === '~' || text === 'null' || text === 'Null' || text === 'NULL') return null;
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^[-+]?[0-9]+$/.test(text)) return Number(text);
  if (/^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  if (/^[[\]{},&*!|>'"%@`]/.test(text)) fail();
  return text;
}

function unescapeDouble(s: string, fail: () => never): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"') fail();
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = s[++i];
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', '/': '/', '0': '\0', ' ': ' ' };
    if (e in simple) out += simple[e];
    else if (e === 'x' || e === 'u') {
      const len = e === 'x' ? 2 : 4;
      const hex = s.slice(i + 1, i + 1 + len);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) fail();
      out += String.fromCharCode(parseInt(hex, 16));
      i += len;
    } else fail();
  }
  return out;
}

/** One-line flow collections: [a, "b", {c: d}], {a: 1, b: [x]}. */
class FlowReader {
  private i = 0;
  constructor(private readonly s: string, private readonly fail: () => never) {}

  private ws(): void {
    while (this.s[this.i] === ' ') this.i++;
  }

  end(): void {
    this.ws();
    if (this.i !== this.s.length) this.fail();
  }

  readValue(): YamlValue {
    this.ws();
    const c = this.s[this.i];
    if (c === '[') return this.readSeq();
    if (c === '{') return this.readMap();
    if (c === '"' || c === "'") return parseScalar(this.readQuoted(), this.fail);
    // plain scalar up to , ] } (a ':' followed by a space ends a key inside {})
    const start = this.i;
    while (this.i < this.s.length && !/[,\]}]/.test(this.s[this.i])) {
      if (this.s[this.i] === ':' && this.s[this.i + 1] === ' ') break;
      this.i++;
    }
    return parseScalar(this.s.slice(start, this.i).trim(), this.fail);
  }

  private readQuoted(): string {
    const q = this.s[this.i];
    const start = this.i++;
    while (this.i < this.s.length) {
      if (q === '"' && this.s[this.i] === '\\') this.i += 2;
      else if (this.s[this.i] === q) {
        if (q === "'" && this.s[this.i + 1] === "'") this.i += 2;
        else {
          this.i++;
          return this.s.slice(start, this.i);
        }
      } else this.i++;
    }
    return this.fail();
  }

  private readSeq(): YamlValue[] {
    const out: YamlValue[] = [];
    this.i++;
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.readValue());
      this.ws();
      const c = this.s[this.i++];
      if (c === ']') return out;
      if (c !== ',') this.fail();
    }
  }

  private readMap(): YamlMap {
    const out: YamlMap = {};
    this.i++;
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      const key = this.readValue();
      if (typeof key !== 'string') this.fail();
      this.ws();
      if (this.s[this.i++] !== ':') this.fail();
      out[key] = this.readValue();
      this.ws();
      const c = this.s[this.i++];
      if (c === '}') return out;
      if (c !== ',') this.fail();
    }
  }
}
