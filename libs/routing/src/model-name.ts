/**
 * The one model-name grammar (ARCHITECTURE §1). Reserved prefixes first; otherwise the text before the first `/` is
 * a provider id and everything after it (which may contain `/` and `:`) is the upstream model id.
 */
export type ParsedModelName =
  | { kind: 'rotation'; scope: 'global' | 'user'; id: string }
  | { kind: 'autoselect'; scope: 'global' | 'user'; id: string }
  | { kind: 'provider'; scope: 'global' | 'user'; providerId: string; model: string }
  | { kind: 'bare'; name: string };

const PREFIXES: Array<[RegExp, (m: RegExpExecArray) => ParsedModelName]> = [
  [/^(?:rotation|rotations)\/(.+)$/, (m) => ({ kind: 'rotation', scope: 'global', id: m[1]! })],
  [/^(?:autoselect|autoselections)\/(.+)$/, (m) => ({ kind: 'autoselect', scope: 'global', id: m[1]! })],
  [/^user-rotation\/(.+)$/, (m) => ({ kind: 'rotation', scope: 'user', id: m[1]! })],
  [/^user-autoselect\/(.+)$/, (m) => ({ kind: 'autoselect', scope: 'user', id: m[1]! })],
  [/^user-provider\/([^/]+)\/(.+)$/, (m) => ({ kind: 'provider', scope: 'user', providerId: m[1]!, model: m[2]! })],
];

export function parseModelName(name: string): ParsedModelName {
  for (const [re, build] of PREFIXES) {
    const m = re.exec(name);
    if (m) return build(m);
  }
  const slash = name.indexOf('/');
  if (slash > 0 && slash < name.length - 1) {
    return { kind: 'provider', scope: 'global', providerId: name.slice(0, slash), model: name.slice(slash + 1) };
  }
  return { kind: 'bare', name };
}

/** The listing id of a route; `parseModelName(formatModelName(x))` gives `x` back. */
export function formatModelName(p: Exclude<ParsedModelName, { kind: 'bare' }>): string {
  const user = p.scope === 'user';
  switch (p.kind) {
    case 'rotation':
      return `${user ? 'user-rotation' : 'rotation'}/${p.id}`;
    case 'autoselect':
      return `${user ? 'user-autoselect' : 'autoselect'}/${p.id}`;
    case 'provider':
      return user ? `user-provider/${p.providerId}/${p.model}` : `${p.providerId}/${p.model}`;
  }
}
