/**
 * Static checks of Helm templates without helm: delimiters, block structure, named templates, and every value path a
 * template reads. Each function returns a list of problems (empty = fine), so the test can also prove that the checks
 * catch what they claim to catch.
 */
import type { YamlMap, YamlValue } from './mini-yaml';

export interface TemplateAction {
  /** The action's text without the delimiters, trim markers and surrounding spaces. */
  body: string;
  /** 1-based line of the opening delimiter. */
  line: number;
  comment: boolean;
}

const isMap = (v: YamlValue | undefined): v is YamlMap => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Splits a template into its {{ ... }} actions; reports unbalanced delimiters. */
export function scanActions(file: string, text: string): { actions: TemplateAction[]; problems: string[] } {
  const actions: TemplateAction[] = [];
  const problems: string[] = [];
  let i = 0;
  const lineAt = (idx: number) => text.slice(0, idx).split('\n').length;
  for (;;) {
    const open = text.indexOf('{{', i);
    const strayClose = text.indexOf('}}', i);
    if (open < 0) {
      if (strayClose >= 0) problems.push(`${file}:${lineAt(strayClose)}: "}}" without "{{"`);
      break;
    }
    if (strayClose >= 0 && strayClose < open) {
      problems.push(`${file}:${lineAt(strayClose)}: "}}" without "{{"`);
    }
    let j = open + 2;
    let inner: string;
    const afterOpen = text.slice(j).replace(/^-?\s*/, '');
    if (afterOpen.startsWith('/*')) {
      // A comment: ends at "*/" followed by optional " -" and "}}".
      const endComment = text.indexOf('*/', j);
      if (endComment < 0) {
        problems.push(`${file}:${lineAt(open)}: unterminated comment`);
        break;
      }
      const close = /^\s*-?\s*\}\}/.exec(text.slice(endComment + 2));
      if (!close) {
        problems.push(`${file}:${lineAt(open)}: a comment must end with "*/}}" or "*/ -}}"`);
        break;
      }
      actions.push({ body: '', line: lineAt(open), comment: true });
      i = endComment + 2 + close[0].length;
      continue;
    }
    // Find the closing "}}" outside string literals.
    let quote: string | null = null;
    for (; j < text.length; j++) {
      const c = text[j];
      if (quote) {
        if (c === '\\' && quote === '"') j++;
        else if (c === quote) quote = null;
      } else if (c === '"' || c === '`') quote = c;
      else if (c === '{' && text[j + 1] === '{') break;
      else if (c === '}' && text[j + 1] === '}') break;
    }
    if (j >= text.length || text[j] !== '}') {
      problems.push(`${file}:${lineAt(open)}: "{{" is not closed by "}}"`);
      i = j >= text.length ? text.length : j;
      if (j >= text.length) break;
      continue;
    }
    inner = text.slice(open + 2, j);
    inner = inner.replace(/^-\s/, '').replace(/\s-$/, '').trim();
    actions.push({ body: inner, line: lineAt(open), comment: false });
    i = j + 2;
  }
  return { actions, problems };
}

/** if/range/with/define/block must each have an {{ end }}; else must sit inside if/range/with. */
export function checkStructure(file: string, actions: TemplateAction[]): string[] {
  const problems: string[] = [];
  const stack: { kw: string; line: number }[] = [];
  for (const a of actions) {
    if (a.comment) continue;
    const kw = /^([a-z]+)\b/.exec(a.body)?.[1];
    if (kw === 'if' || kw === 'range' || kw === 'with' || kw === 'define' || kw === 'block') {
      stack.push({ kw, line: a.line });
    } else if (kw === 'else') {
      const top = stack[stack.length - 1];
      if (!top || !['if', 'range', 'with'].includes(top.kw)) problems.push(`${file}:${a.line}: "else" outside if/range/with`);
    } else if (kw === 'end') {
      if (!stack.pop()) problems.push(`${file}:${a.line}: "end" without an open block`);
    }
  }
  for (const open of stack) problems.push(`${file}:${open.line}: "${open.kw}" is never closed by "end"`);
  return problems;
}

/** Named templates used by include/template that no file defines. */
export function checkIncludes(files: Record<string, TemplateAction[]>): string[] {
  const defined = new Set<string>();
  for (const actions of Object.values(files)) {
    for (const a of actions) {
      const m = /^define\s+"([^"]+)"/.exec(a.body);
      if (m) defined.add(m[1]);
    }
  }
  const problems: string[] = [];
  for (const [file, actions] of Object.entries(files)) {
    for (const a of actions) {
      for (const m of a.body.matchAll(/\b(?:include|template)\s+"([^"]+)"/g)) {
        if (!defined.has(m[1])) problems.push(`${file}:${a.line}: named template "${m[1]}" is not defined`);
      }
    }
  }
  return problems;
}

function lookup(values: YamlValue, path: string[]): { ok: boolean; value?: YamlValue; missingAt?: string } {
  let cur: YamlValue = values;
  for (let k = 0; k < path.length; k++) {
    if (!isMap(cur) || !(path[k] in cur)) return { ok: false, missingAt: path.slice(0, k + 1).join('.') };
    cur = cur[path[k]];
  }
  return { ok: true, value: cur };
}

/** How a template variable relates to .Values: one value, or each entry of a mapping (range $k, $v := ...). */
type Binding = { kind: 'value'; path: string[] } | { kind: 'each'; path: string[] };

const PATH = String.raw`\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)*)`;
const splitPath = (p: string) => p.split('.').filter(Boolean);

/**
 * Every `.Values.a.b` (also `$.Values…`, `.root.Values…`), every `index .Values.a "key"`, and every `$var.a.b` where
 * `$var` was bound from .Values (`$v := .Values.x`, `$v := index .Values.x "k"`, `range $k, $v := .Values.x`, where
 * the path must then exist in every entry) must exist in values.yaml. A `$var.field` that cannot be traced back to
 * .Values is reported too, so nothing goes unchecked.
 */
export function checkValuePaths(file: string, actions: TemplateAction[], values: YamlValue): string[] {
  const problems: string[] = [];
  const bindings = new Map<string, Binding>();
  for (const a of actions) {
    if (a.comment) continue;
    const body = a.body;
    // Bindings first (a range line both binds and reads its path).
    const rangeKV = new RegExp(String.raw`^range\s+\$\w+\s*,\s*\$(\w+)\s*:=\s*\$?(?:\.root)?${PATH}\s*$`).exec(body);
    const rangeV = new RegExp(String.raw`^range\s+\$(\w+)\s*:=\s*\$?(?:\.root)?${PATH}\s*$`).exec(body);
    const assignIndex = new RegExp(String.raw`^\$(\w+)\s*:?=\s*index\s+\$?(?:\.root)?${PATH}\s+"([^"]+)"\s*$`).exec(body);
    const assignPath = new RegExp(String.raw`^\$(\w+)\s*:?=\s*\$?(?:\.root)?${PATH}\s*$`).exec(body);
    if (rangeKV) bindings.set(rangeKV[1], { kind: 'each', path: splitPath(rangeKV[2]) });
    else if (rangeV) bindings.set(rangeV[1], { kind: 'each', path: splitPath(rangeV[2]) });
    else if (assignIndex) bindings.set(assignIndex[1], { kind: 'value', path: [...splitPath(assignIndex[2]), assignIndex[3]] });
    else if (assignPath) bindings.set(assignPath[1], { kind: 'value', path: splitPath(assignPath[2]) });

    for (const m of body.matchAll(new RegExp(String.raw`index\s+\$?(?:\.root)?${PATH}\s+"([^"]+)"`, 'g'))) {
      const path = [...splitPath(m[1]), m[2]];
      const r = lookup(values, path);
      if (!r.ok) problems.push(`${file}:${a.line}: index .Values.${path.join('.')} is not in values.yaml (missing ${r.missingAt})`);
    }
    for (const m of body.matchAll(new RegExp(PATH, 'g'))) {
      const path = splitPath(m[1]);
      const r = lookup(values, path);
      if (!r.ok) problems.push(`${file}:${a.line}: .Values.${path.join('.')} is not in values.yaml (missing ${r.missingAt})`);
    }
    for (const m of body.matchAll(/\$([A-Za-z_]\w*)((?:\.[A-Za-z_]\w*)+)/g)) {
      const [, name, rest] = m;
      const field = splitPath(rest);
      const b = bindings.get(name);
      if (!b) {
        problems.push(`${file}:${a.line}: $${name}.${field.join('.')} reads a variable not bound from .Values (cannot check)`);
        continue;
      }
      if (b.kind === 'value') {
        const r = lookup(values, [...b.path, ...field]);
        if (!r.ok) problems.push(`${file}:${a.line}: $${name}.${field.join('.')} = .Values.${[...b.path, ...field].join('.')} is not in values.yaml`);
      } else {
        const coll = lookup(values, b.path);
        const entries = coll.ok && isMap(coll.value) ? Object.entries(coll.value) : [];
        if (!coll.ok || !isMap(coll.value)) {
          problems.push(`${file}:${a.line}: $${name} ranges over .Values.${b.path.join('.')}, which is not a mapping`);
        }
        for (const [key, entry] of entries) {
          const r = lookup(entry, field);
          if (!r.ok) problems.push(`${file}:${a.line}: $${name}.${field.join('.')}: .Values.${b.path.join('.')}.${key}.${field.join('.')} is not in values.yaml`);
        }
      }
    }
  }
  return problems;
}
