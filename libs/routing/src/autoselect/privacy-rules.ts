import {
  aadhaarValid,
  bsnValid,
  cardBrand,
  codiceFiscaleValid,
  cpfValid,
  ibanValid,
  luhnValid,
  nirValid,
  ninoPlausible,
  shannonEntropy,
  spanishIdValid,
  ssnPlausible,
} from './checksums';

/**
 * The local privacy detector's rules. Each rule has a stable id (recorded in audits and the decision header, so never
 * renamed), a category, and a scanner that returns spans — offsets into the scanned text, never the text itself.
 *
 * Design rules: a rule fires on things that are very probably real (provider prefixes, checksums, key names with
 * high-entropy values); documented placeholders and examples (`sk-...`, `YOUR_API_KEY`, `AKIA…EXAMPLE`, RFC 2606
 * addresses, well-known test card numbers and IBANs) do not fire. Regular expressions are linear (no nested unbounded
 * quantifiers), so a large prompt cannot make the detector slow.
 */
export type PrivacyCategory = 'credential' | 'personal' | 'customer_data';

export interface PrivacyRuleInfo {
  id: string;
  category: PrivacyCategory;
  description: string;
}

export interface Span {
  offset: number;
  length: number;
}

export interface PrivacyRule extends PrivacyRuleInfo {
  scan(text: string): Span[];
}

// ---------------------------------------------------------------------------------------------------------------
// Shared value checks

const PLACEHOLDER_WORDS =
  /example|sample|dummy|placeholder|redacted|changeme|change[_-]me|your[_-]|yourkey|yourtoken|xxxx|\.\.\.|…|\*\*\*|\{\{|\$\{|%s|insert|replace|fake|not[_-]?real|[_-]here\b|goes[_-]?here/i;

/** Passwords seen in tutorials, test suites and default installs: shape of a password, but not a secret. */
const DEMO_PASSWORDS = new Set([
  'password', 'password1', 'password123', 'passw0rd', 'p@ssw0rd', 'p@ssword', 'pass', 'pass123', 'passwd', 'pwd', 'secret', 'secret123',
  'test', 'test123', 'testpass', 'testpassword', 'testing', 'admin', 'admin123', 'root', 'toor', 'guest', 'user', 'demo', 'letmein',
  'qwerty', '123456', '12345678', '123456789', 'abc123', 'foobar', 'foo', 'bar', 'baz', 'hunter2', 'welcome', 'changeit', 'postgres',
  'mysql', 'example', 'mypassword', 'yourpassword', 'supersecret', 'topsecret', 's3cret', 'sekret', 'default', 'none', 'null', 'xxx',
  'correct horse battery staple', 'correcthorsebatterystaple', 'tr0ub4dor&3', 'hello', 'hello123', 'abcdef', 'abcd1234', 'mysecretpassword',
]);

function hasSequentialRun(s: string, n: number): boolean {
  let run = 1;
  for (let i = 1; i < s.length; i++) {
    const a = s.charCodeAt(i - 1);
    const b = s.charCodeAt(i);
    const sameClass = (x: number) => (x >= 48 && x <= 57 ? 0 : x >= 97 && x <= 122 ? 1 : x >= 65 && x <= 90 ? 2 : 3);
    run = b === a + 1 && sameClass(a) === sameClass(b) && sameClass(a) !== 3 ? run + 1 : 1;
    if (run >= n) return true;
  }
  return false;
}

/** Documentation placeholders: marker words, ellipses, masks, interpolations, one repeated character, `123456…`. */
export function looksPlaceholder(v: string): boolean {
  if (PLACEHOLDER_WORDS.test(v)) return true;
  const alnum = v.replace(/[^A-Za-z0-9]/g, '');
  if (alnum.length === 0) return true;
  if (alnum.length >= 8 && new Set(alnum.toLowerCase()).size <= Math.max(3, Math.floor(alnum.length / 8))) return true;
  return hasSequentialRun(alnum.toLowerCase(), 6);
}

const hasDigit = (s: string) => /\d/.test(s);
const hasLetter = (s: string) => /[A-Za-z]/.test(s);
const mixedCase = (s: string) => /[a-z]/.test(s) && /[A-Z]/.test(s);

/** A random-looking token: letters and digits, not a placeholder, entropy per character above `minEntropy`. */
function tokenLike(s: string, opts: { minEntropy?: number; mixed?: boolean } = {}): boolean {
  if (looksPlaceholder(s)) return false;
  if (!hasDigit(s) || !hasLetter(s)) return false;
  if (opts.mixed && !mixedCase(s)) return false;
  return shannonEntropy(s) >= (opts.minEntropy ?? 3);
}

/** Run a global regex; `pick` returns the span to report (or null to skip the match). */
function scanRegex(re: RegExp, text: string, pick: (m: RegExpExecArray) => Span | null | undefined): Span[] {
  const out: Span[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0].length === 0) re.lastIndex++;
    const span = pick(m);
    if (span) out.push(span);
  }
  return out;
}

/** Span of capture group `g` inside match `m` (requires the `d` flag). */
function groupSpan(m: RegExpExecArray, g: number): Span | null {
  const idx = m.indices?.[g];
  return idx ? { offset: idx[0], length: idx[1] - idx[0] } : null;
}

const whole = (m: RegExpExecArray): Span => ({ offset: m.index, length: m[0].length });

// ---------------------------------------------------------------------------------------------------------------
// Credentials and secrets

interface ProviderToken {
  id: string;
  description: string;
  re: RegExp;
  /** Extra check on the matched text (the prefix included). */
  valid?: (token: string) => boolean;
}

const bodyAfter = (prefix: RegExp) => (t: string) => t.replace(prefix, '');

const PROVIDER_TOKENS: ProviderToken[] = [
  {
    id: 'secret.openai_key',
    description: 'OpenAI API key (sk-, sk-proj-, sk-svcacct-, sk-admin-)',
    re: /(?<![A-Za-z0-9_-])sk-(?!ant-)(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,}/g,
    valid: (t) => tokenLike(bodyAfter(/^sk-(?:proj-|svcacct-|admin-|None-)?/)(t), { mixed: true }),
  },
  {
    id: 'secret.anthropic_key',
    description: 'Anthropic API key (sk-ant-…)',
    re: /(?<![A-Za-z0-9_-])sk-ant-[A-Za-z0-9_-]{24,}/g,
    valid: (t) => tokenLike(t.slice(7), { mixed: true }),
  },
  {
    id: 'secret.aws_key',
    description: 'AWS access key id (AKIA/ASIA/ABIA/ACCA + 16)',
    re: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g,
    valid: (t) => !looksPlaceholder(t.slice(4)) && hasDigit(t.slice(4)),
  },
  {
    id: 'secret.github_token',
    description: 'GitHub token (ghp_/gho_/ghu_/ghs_/ghr_, github_pat_)',
    re: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36}(?![A-Za-z0-9])|github_pat_[A-Za-z0-9_]{40,})/g,
    valid: (t) => tokenLike(t.replace(/^(?:gh[pousr]_|github_pat_)/, ''), { mixed: true }),
  },
  {
    id: 'secret.gitlab_token',
    description: 'GitLab token (glpat-, gldt-, glrt-, glptt-)',
    re: /(?<![A-Za-z0-9_-])gl(?:pat|dt|rt|ptt)-[A-Za-z0-9_-]{20,}/g,
    valid: (t) => tokenLike(t.replace(/^gl[a-z]+-/, '')),
  },
  {
    id: 'secret.slack_token',
    description: 'Slack token (xoxb-/xoxp-/xoxa-/xoxo-/xoxr-/xoxs-/xoxe-) or incoming-webhook URL',
    re: /(?<![A-Za-z0-9_-])xox[abposre]-[A-Za-z0-9-]{20,}|https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_/-]{20,}/g,
    valid: (t) => tokenLike(t.replace(/^(?:xox[a-z]-|https:\/\/hooks\.slack\.com\/\w+\/)/, ''), { minEntropy: 2.8 }),
  },
  {
    id: 'secret.stripe_key',
    description: 'Stripe live secret / restricted key or webhook secret (sk_live_, rk_live_, whsec_)',
    re: /(?<![A-Za-z0-9_])(?:[sr]k_live_[A-Za-z0-9]{20,}|whsec_[A-Za-z0-9]{32,})/g,
    valid: (t) => tokenLike(t.replace(/^(?:[sr]k_live_|whsec_)/, '')),
  },
  {
    id: 'secret.google_api_key',
    description: 'Google API key (AIza + 35)',
    re: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g,
    valid: (t) => tokenLike(t.slice(4)),
  },
  {
    id: 'secret.huggingface_token',
    description: 'Hugging Face token (hf_ + 34–40)',
    re: /(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{34,40}(?![A-Za-z0-9])/g,
    valid: (t) => tokenLike(t.slice(3), { mixed: true }),
  },
  {
    id: 'secret.npm_token',
    description: 'npm access token (npm_ + 36)',
    re: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/g,
    valid: (t) => tokenLike(t.slice(4), { mixed: true }),
  },
  {
    id: 'secret.pypi_token',
    description: 'PyPI upload token (pypi-AgE…)',
    re: /(?<![A-Za-z0-9_-])pypi-AgE[A-Za-z0-9_-]{50,}/g,
  },
  {
    id: 'secret.groq_key',
    description: 'Groq API key (gsk_ + 52)',
    re: /(?<![A-Za-z0-9_])gsk_[A-Za-z0-9]{40,}(?![A-Za-z0-9])/g,
    valid: (t) => tokenLike(t.slice(4), { mixed: true }),
  },
  {
    id: 'secret.xai_key',
    description: 'xAI API key (xai- + 80)',
    re: /(?<![A-Za-z0-9_-])xai-[A-Za-z0-9]{60,}(?![A-Za-z0-9])/g,
    valid: (t) => tokenLike(t.slice(4), { mixed: true }),
  },
  {
    id: 'secret.sendgrid_key',
    description: 'SendGrid API key (SG.x.y)',
    re: /(?<![A-Za-z0-9_-])SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g,
    valid: (t) => tokenLike(t.slice(3)),
  },
  {
    id: 'secret.digitalocean_token',
    description: 'DigitalOcean token (dop_v1_/doo_v1_/dor_v1_ + 64 hex)',
    re: /(?<![A-Za-z0-9_])do[opr]_v1_[a-f0-9]{64}(?![A-Za-z0-9])/g,
    valid: (t) => !looksPlaceholder(t.slice(7)),
  },
  {
    id: 'secret.telegram_bot_token',
    description: 'Telegram bot token (<bot id>:AA…)',
    re: /(?<![A-Za-z0-9_:])\d{8,10}:AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])/g,
    valid: (t) => tokenLike(t.split(':')[1]!),
  },
  {
    id: 'secret.sentry_dsn',
    description: 'Sentry DSN (https://<32 hex>@…/<project>)',
    re: /https?:\/\/[0-9a-f]{32}(?::[0-9a-f]{32})?@[A-Za-z0-9.-]+(?::\d+)?\/\d+/g,
    valid: (t) => !looksPlaceholder(t.slice(t.indexOf('//') + 2, t.indexOf('@'))),
  },
  {
    id: 'secret.azure_storage_key',
    description: 'Azure storage account key in a connection string (AccountKey=…==)',
    re: /AccountKey=[A-Za-z0-9+/]{86}==/g,
    valid: (t) => tokenLike(t.slice(11)),
  },
];

const providerRules: PrivacyRule[] = PROVIDER_TOKENS.map((p) => ({
  id: p.id,
  category: 'credential',
  description: p.description,
  scan: (text) => scanRegex(p.re, text, (m) => (!p.valid || p.valid(m[0]) ? whole(m) : null)),
}));

const awsSecretKey: PrivacyRule = {
  id: 'secret.aws_secret_key',
  category: 'credential',
  description: 'AWS secret access key on a key line (aws_secret_access_key = …, "SecretAccessKey": "…")',
  scan: (text) =>
    scanRegex(
      /(?:aws[_-]?)?secret[_-]?(?:access[_-]?)?key["']?\s*(?::|=|=>)\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/dgi,
      text,
      (m) => (tokenLike(m[1]!, { minEntropy: 3.5 }) ? groupSpan(m, 1) : null),
    ),
};

const privateKeyBlock: PrivacyRule = {
  id: 'secret.private_key',
  category: 'credential',
  description: 'PEM / OpenSSH / PGP private key block with key material, also base64-encoded (kubeconfig, Kubernetes secrets)',
  scan: (text) =>
    scanRegex(/-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----/g, text, (m) => {
      const after = text.slice(m.index + m[0].length, m.index + m[0].length + 400);
      const body = /[A-Za-z0-9+/=]{24,}/.exec(after.replace(/\\n/g, '\n').replace(/^(?:[A-Za-z-]+: .*\n)+/m, ''));
      if (!body || looksPlaceholder(body[0])) return null;
      return { offset: m.index, length: m[0].length + (after.indexOf(body[0].slice(0, 8)) + body[0].length) };
    }).concat(
      // The same block base64-encoded, as kubeconfig `client-key-data`, Kubernetes secrets and Helm values carry it.
      scanRegex(/(?<![A-Za-z0-9+/])LS0tLS1CRUdJTi[A-Za-z0-9+/]{40,}={0,2}/g, text, (m) => {
        const head = Buffer.from(m[0].slice(0, 400).replace(/=+$/, '').slice(0, 400 - (m[0].slice(0, 400).length % 4)), 'base64').toString('latin1');
        const block = /-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----\s*([A-Za-z0-9+/=]{24,})/.exec(head);
        return block && !looksPlaceholder(block[1]!) ? whole(m) : null;
      }),
    ),
};

/** Unquoted values that are code, types or keywords rather than a literal password. */
const NOT_A_LITERAL =
  /^(?:str|string|String|int|integer|bool|boolean|bytes|None|null|nil|NULL|true|false|True|False|undefined|required|optional|any|text|varchar|char|object|number|hidden|masked|encrypted|secret|password|SecretStr|SecretString|\*+|•+)$/;

function literalPassword(value: string, quoted: boolean, envStyle: boolean, lineValue: boolean): boolean {
  const v = value.trim();
  if (v.length < 3) return false;
  if (DEMO_PASSWORDS.has(v.toLowerCase())) return false;
  if (looksPlaceholder(v) || /^[<[{(]|[>\]})]$/.test(v)) return false;
  if (/\$\(|\$[A-Za-z_{]|%\(|%[A-Z_]+%|#\{|\{\{|^@|^!|^\?+$|^\*+$|^[•●x]+$/i.test(v)) return false; // interpolations, masks
  if (quoted) return true;
  if (NOT_A_LITERAL.test(v)) return false;
  if (/[()[\]]/.test(v) || /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(v)) return false; // calls, member access
  if (/^[A-Z][a-z]+(?:[A-Z][a-z]+)+$/.test(v)) return false; // a CamelCase type name
  if (envStyle || lineValue) return true;
  return hasDigit(v) || /[^A-Za-z0-9_]/.test(v); // code: a bare identifier is a variable, not a password
}

/** Key names holding a password; the suffix is limited so `password_min_length`, `password_file` etc. do not count. */
const PASSWORD_KEY = /^(?:[A-Za-z0-9_.-]*?(?:password|passwd|passphrase|pwd)(?:s|_?hash|_?value|_?plain(?:text)?|_?enc(?:rypted)?)?|(?:[A-Za-z0-9_.-]*[_.-])?pass)$/i;
const PASSWORD_KEY_EXCLUDED = /(?:forgot|reset|policy|min|max|length|show|hide|toggle|validat|verify|check|confirm_?field|label|prompt|hint|placeholder|input|field|column|regex|pattern|strength|expir|url|path|file|env|type|mode|required|enabled|hasher|encoder)/i;

const passwordAssignment: PrivacyRule = {
  id: 'secret.password_assignment',
  category: 'credential',
  description: 'Password literal in config, code, connection parameters, command-line flags, .pgpass lines or prose (password=…, "password": "…", -p…)',
  scan: (text) => {
    const out = scanRegex(
      /(^|[^A-Za-z0-9_.-])(["']?)([A-Za-z0-9_.-]{0,40}?(?:password|passwd|passphrase|pwd|pass)[A-Za-z0-9_]{0,12})\2[ \t]*(?::=|=>|=|:)[ \t]*(?:"([^"\n]{1,200})"|'([^'\n]{1,200})'|`([^`\n]{1,200})`|([^\s"'`,;&)}\]]{1,200}))/dgim,
      text,
      (m) => {
        const key = m[3]!;
        if (!PASSWORD_KEY.test(key) || PASSWORD_KEY_EXCLUDED.test(key)) return null;
        const quoted = m[4] ?? m[5] ?? m[6];
        const value = quoted ?? m[7]!;
        const lineStart = text.lastIndexOf('\n', m.index + m[1]!.length - 1) + 1;
        const before = text.slice(lineStart, m.index + m[1]!.length);
        const envStyle = /^\s*(?:export\s+)?$/.test(before) && /^[A-Z0-9_.]+$/.test(key) && /=/.test(m[0]) && !/\s=/.test(m[0]);
        const end = m.indices![7]?.[1] ?? 0;
        const lineValue = quoted === undefined && /^\s*(?:-\s*)?$/.test(before) && /^[ \t]*(?:#.*)?(?:\n|$)/.test(text.slice(end, end + 200));
        const g = m[4] !== undefined ? 4 : m[5] !== undefined ? 5 : m[6] !== undefined ? 6 : 7;
        return literalPassword(value, quoted !== undefined, envStyle, lineValue) ? groupSpan(m, g) : null;
      },
    );
    // Command-line password flags: mysql -pSecret / --password=Secret (a bare `-p` prompts), sshpass -p Secret, redis-cli -a Secret.
    const cli = [
      /\b(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)\b[^\n]{0,120}?\s(?:-p|--password=)["']?([^\s"']{3,128})/dg,
      /\b(?:sshpass|mongo|mongosh)\b[^\n]{0,120}?\s(?:-p|--password)\s+["']?([^\s"']{3,128})/dg,
      /\bredis-cli\b[^\n]{0,120}?\s-a\s+["']?([^\s"']{3,128})/dg,
      /\b(?:docker|podman|nerdctl|buildah|helm\s+registry|oras)\s+login\b[^\n]{0,120}?\s(?:-p|--password)(?:=|\s+)["']?([^\s"']{3,128})/dg,
      /\s--(?:password|passwd|pass)\s+["']?([^\s"'-][^\s"']{2,127})/dg,
    ];
    for (const re of cli) out.push(...scanRegex(re, text, (m) => (literalPassword(m[1]!, true, false, false) && !/^-/.test(m[1]!) ? groupSpan(m, 1) : null)));
    // .pgpass lines: host:port:database:user:password (not colon-separated numbers such as timestamps)
    out.push(
      ...scanRegex(/^[ \t]*([A-Za-z0-9*._-]+):(?:\d{2,5}|\*):[A-Za-z0-9*._-]+:([A-Za-z0-9*._-]+):([^\s:]{3,128})[ \t]*$/dgm, text, (m) =>
        /[A-Za-z*]/.test(m[1]!) && /[A-Za-z*]/.test(m[2]!) && !/^\d+$/.test(m[3]!) && literalPassword(m[3]!, true, false, false) ? groupSpan(m, 3) : null,
      ),
    );
    // Prose: "my password is Xyz123!", "the root password is 'abc'".
    out.push(
      ...scanRegex(/\b(?:my|the|our|your|his|her|their)\s+(?:[\w-]+\s+){0,2}(?:password|passphrase|passcode|PIN)\s+(?:is|was|=)\s+["'“]?([^\s"'”]{4,64})/dgi, text, (m) => {
        const v = m[1]!.replace(/[.,;:!?]+$/, '');
        return !DEMO_PASSWORDS.has(v.toLowerCase()) && !looksPlaceholder(v) && (hasDigit(v) || /[^A-Za-z]/.test(v)) ? groupSpan(m, 1) : null;
      }),
    );
    return out;
  },
};

const connectionString: PrivacyRule = {
  id: 'secret.connection_string',
  category: 'credential',
  description: 'Credentials in a URL / connection string (scheme://user:password@host)',
  scan: (text) =>
    scanRegex(/\b[a-z][a-z0-9+.-]{1,20}:\/\/([^\s:/@"'`<>]{0,64}):([^\s@/"'`<>]{1,128})@([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])/dgi, text, (m) => {
      const user = m[1]!;
      const pass = decodeURIComponentSafe(m[2]!);
      if (pass === user || DEMO_PASSWORDS.has(pass.toLowerCase()) || pass.length < 3) return null;
      if (looksPlaceholder(pass) || /^[<[{(]|[>\]})]$|^\$|^%|^:|^\*+$/.test(pass)) return null;
      return groupSpan(m, 2);
    }),
};

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function base64UrlJson(part: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const jwt: PrivacyRule = {
  id: 'secret.jwt',
  category: 'credential',
  description: 'JSON Web Token (base64url header with alg/typ, payload, signature)',
  scan: (text) =>
    scanRegex(/(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/g, text, (m) => {
      const [h, p] = m[0].split('.');
      const header = base64UrlJson(h!);
      if (!header || !('alg' in header || 'typ' in header)) return null;
      const payload = base64UrlJson(p!);
      // jwt.io's published example token (sub 1234567890, John Doe) is documentation, not a credential.
      if (payload && payload['sub'] === '1234567890' && payload['name'] === 'John Doe') return null;
      return whole(m);
    }),
};

const bearerToken: PrivacyRule = {
  id: 'secret.bearer_token',
  category: 'credential',
  description: 'Authorization header credentials (Bearer/Token <token>, Basic <user:password>)',
  scan: (text) => [
    ...scanRegex(/\b(?:Bearer|Token)\s+([A-Za-z0-9_\-.~+/]{20,}=*)(?![A-Za-z0-9_\-.~+/=])/dg, text, (m) =>
      tokenLike(m[1]!, { minEntropy: 3.3 }) ? groupSpan(m, 1) : null,
    ),
    ...scanRegex(/\bBasic\s+([A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])/dg, text, (m) => {
      const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
      const sep = decoded.indexOf(':');
      if (sep <= 0 || !/^[\x20-\x7e]+$/.test(decoded)) return null;
      const pass = decoded.slice(sep + 1);
      if (DEMO_PASSWORDS.has(pass.toLowerCase()) || looksPlaceholder(pass) || pass === decoded.slice(0, sep) || pass === 'open sesame') return null;
      return groupSpan(m, 1);
    }),
  ],
};

/** Key names that hold a secret; the name must end there (`tokenizer`, `max_tokens`, `private_key_id` do not count). */
const SECRET_KEY_NAME =
  /(?:api[_-]?key|apikey|api[_-]?secret|secret[_-]?key|secret|client[_-]?secret|app[_-]?secret|access[_-]?token|auth[_-]?token|refresh[_-]?token|session[_-]?token|id[_-]?token|bearer[_-]?token|api[_-]?token|token|access[_-]?key(?:[_-]?id)?|private[_-]?key|signing[_-]?key|encryption[_-]?key|master[_-]?key|account[_-]?key|webhook[_-]?secret|credentials?|auth[_-]?key|license[_-]?key)$/i;
const NOT_SECRET_KEY_NAME = /(?:page|next|continuation|sync|csrf|xsrf|cursor|pagination|max|num|count|total|limit|type|name|url|path|file|env|id_field)[_-]?(?:token|key|secret)?$|^(?:max|num|total)[_-]/i;

function highEntropyValue(v: string): boolean {
  if (/^(?:https?:|\/|\.\/|\.\.\/)/.test(v) || /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(v)) return false; // URLs, paths, member access
  if (looksPlaceholder(v)) return false;
  if (/^(?:pk_(?:live|test)_|[sr]k_test_)/.test(v)) return false; // Stripe publishable and test-mode keys are not secrets
  const compact = v.replace(/[-_.~+/=]/g, '');
  if (compact.length < 16 || !hasDigit(compact) || !hasLetter(compact)) return false;
  return shannonEntropy(v) >= 3.3;
}

const genericAssignment: PrivacyRule = {
  id: 'secret.generic_assignment',
  category: 'credential',
  description: 'High-entropy value assigned to a key/secret/token name (API_KEY=…, "client_secret": "…", x-api-key: …, name/value header and env lists)',
  scan: (text) => [
    // name/value lists: HAR headers {"name": "x-api-key", "value": "…"}, Kubernetes env (- name: API_KEY / value: …)
    ...scanRegex(/["']?name["']?\s*:\s*["']?([A-Za-z][A-Za-z0-9_.-]{0,60})["']?\s*,?\s*["']?value["']?\s*:\s*(["']?)([^"'\s,}]{3,256})\2/dgi, text, (m) => {
      const key = m[1]!;
      const v = m[3]!;
      if (SECRET_KEY_NAME.test(key) && !NOT_SECRET_KEY_NAME.test(key)) return highEntropyValue(v) ? groupSpan(m, 3) : null;
      if (/^authorization$/i.test(key)) return tokenLike(v.replace(/^(?:Bearer|Basic|Token)\s*/i, ''), { minEntropy: 3.3 }) ? groupSpan(m, 3) : null;
      if (PASSWORD_KEY.test(key) && !PASSWORD_KEY_EXCLUDED.test(key)) return literalPassword(v, true, false, false) ? groupSpan(m, 3) : null;
      return null;
    }),
    // Quoted values may hold any symbols (Django's SECRET_KEY = 'q8#z!m2v@…'); spaces mean prose, not a key.
    ...scanRegex(/(?<![A-Za-z0-9_])(["']?)([A-Za-z][A-Za-z0-9_.-]{0,40}?)\1[ \t]*(?::=|=>|=|:)[ \t]*(["'`])([^"'`\s]{16,256})\3/dg, text, (m) => {
      const key = m[2]!;
      const v = m[4]!;
      if (!SECRET_KEY_NAME.test(key) || NOT_SECRET_KEY_NAME.test(key) || /^[A-Za-z0-9_\-+/=.~]+$/.test(v)) return null; // plain values: below
      if (/\$\{|\{\{|%\(|#\{|^<|>$/.test(v) || looksPlaceholder(v)) return null;
      return hasLetter(v) && /[^A-Za-z]/.test(v) && shannonEntropy(v) >= 3.5 ? groupSpan(m, 4) : null;
    }),
    ...scanRegex(
      /(?<![A-Za-z0-9_])(["']?)([A-Za-z][A-Za-z0-9_.-]{0,40}?)\1[ \t]*(?::=|=>|=|:)[ \t]*(["'`]?)([A-Za-z0-9_\-+/=.~]{16,256})\3(?![A-Za-z0-9_\-+/=.~])/dg,
      text,
      (m) => {
        const key = m[2]!;
        if (!SECRET_KEY_NAME.test(key) || NOT_SECRET_KEY_NAME.test(key)) return null;
        return highEntropyValue(m[4]!) ? groupSpan(m, 4) : null;
      },
    ),
  ],
};

// ---------------------------------------------------------------------------------------------------------------
// Personal data

/** Reserved documentation domains (RFC 2606 / RFC 6761) and the placeholder domains tutorials use. */
const DOC_EMAIL_DOMAIN =
  /(?:^|\.)(?:example\.(?:com|net|org|edu)|example|test|invalid|localhost|local|domain\.com|yourdomain\.com|your-domain\.com|yourcompany\.com|company\.com|email\.com|test\.com|foo\.com|bar\.com|acme\.test)$/i;
/** Mailboxes that are not a person: automated senders, and the `git@` of SSH remotes. */
const NON_PERSONAL_LOCAL = /^(?:no-?reply|do-?not-?reply|donotreply|mailer-daemon|postmaster|git|root|ubuntu|ec2-user|centos|debian)$/i;
const FILE_EXTENSION_TLD = /^(?:png|jpe?g|gif|svg|webp|bmp|ico|css|js|mjs|cjs|ts|tsx|jsx|json|ya?ml|txt|map|md|html?|xml|lock|py|rb|go|rs|java|kt|swift)$/i;

export function isDocumentationEmail(email: string): boolean {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  return DOC_EMAIL_DOMAIN.test(domain) || NON_PERSONAL_LOCAL.test(local) || /users\.noreply\.github\.com$/i.test(domain);
}

const EMAIL_RE = /(?<![A-Za-z0-9._%+-])([A-Za-z0-9][A-Za-z0-9._%+-]{0,63})@([A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)+([A-Za-z]{2,24}))(?![A-Za-z0-9-]|\.[A-Za-z0-9])/g;

const email: PrivacyRule = {
  id: 'pii.email',
  category: 'personal',
  description: 'Email address, plain or URL-encoded (not RFC 2606 documentation domains, noreply senders or git@ remotes)',
  scan: (text) =>
    scanRegex(EMAIL_RE, text, (m) => {
      const prev = text[m.index - 1];
      if ((prev === ':' && text.slice(Math.max(0, m.index - 7), m.index).toLowerCase() !== 'mailto:') || prev === '/') return null; // URL userinfo
      if (FILE_EXTENSION_TLD.test(m[3]!)) return null; // icon@2x.png
      if (/\b(?:ssh|scp|rsync|sftp)\s+(?:-\S+\s+)*$/.test(text.slice(Math.max(0, m.index - 40), m.index)) || text[m.index + m[0].length] === ':') return null; // user@host
      return isDocumentationEmail(m[0]) ? null : whole(m);
    }).concat(
      // URL-encoded, as in query strings and access logs: jane.doe%40gmail.com
      scanRegex(/(?<![A-Za-z0-9._%+-])([A-Za-z0-9][A-Za-z0-9._+-]{0,63})%40([A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)+([A-Za-z]{2,24}))(?![A-Za-z0-9-]|\.[A-Za-z0-9])/g, text, (m) =>
        FILE_EXTENSION_TLD.test(m[3]!) || isDocumentationEmail(`${m[1]}@${m[2]}`) ? null : whole(m),
      ),
    ),
};

function digitsIn(s: string): string {
  return s.replace(/\D/g, '');
}

/** 0123456, 1234567890, 5555555: demo numbers. */
function demoDigits(d: string): boolean {
  return /^(\d)\1+$/.test(d) || hasSequentialRun(d, 7) || /0123456|9876543/.test(d);
}

/** A phone label directly before the number ("Phone:", "mobile no.", "call me at"). */
const PHONE_LABEL_BEFORE =
  /(?:\b(?:phone|tel|telephone|mobile|cell(?:phone)?|fax|whatsapp|sms|telefon|telefono|téléphone|tél|handy|contact)(?:[ _-]?(?:no\.?|number|nr\.?|#))?\s*(?:is|:|=|-)?|\b(?:call|text|reach|ring)\s+(?:me|us|him|her|them)\s+(?:at|on))\s*["']?$/i;

const phone: PrivacyRule = {
  id: 'pii.phone',
  category: 'personal',
  description: 'Phone number: +international, US/Canada (NANP), UK, French formats, or any 7–15 digit number labelled as a phone',
  scan: (text) => {
    const out: Span[] = [];
    // International: +CC then groups; 8–15 digits in all (E.164).
    out.push(
      ...scanRegex(/(?<![\w+])\+\d{1,3}(?:[ .-]?\(\d{1,4}\))?(?:[ .-]?\d{1,5}){1,5}(?![\w]|[.-]\d)/g, text, (m) => {
        const d = digitsIn(m[0]);
        if (d.length < 8 || d.length > 15 || demoDigits(d.slice(1))) return null;
        // +1 is NANP: exactly 10 digits after it, valid area code and exchange; 555 exchange numbers are fictional.
        if (d[0] === '1' && !/^1[2-9]\d{2}[2-9]\d{6}$/.test(d) && d.length <= 11) return null;
        if (/^1[2-9]\d{2}555\d{4}$/.test(d)) return null;
        return whole(m);
      }),
    );
    // US / Canada: (415) 555-2671, 415-555-2671, 415.555.2671 — valid area code and exchange; 555 exchange is fictional.
    out.push(
      ...scanRegex(/(?<![\w.+-])(?:\(([2-9]\d{2})\)\s?|([2-9]\d{2})[-. ])([2-9]\d{2})[-. ](\d{4})(?![\w]|[.-]\d)/g, text, (m) => {
        const area = m[1] ?? m[2]!;
        if (m[3] === '555' || /^[2-9]11$/.test(area) || /^\d11$/.test(m[3]!)) return null;
        return whole(m);
      }),
    );
    // UK: 07xxx xxxxxx mobiles, 020 xxxx xxxx London, 01xxx xxxxxx geographic (with a separator). 07700 900xxx is Ofcom's drama range.
    out.push(
      ...scanRegex(/(?<![\w.+-])(?:07\d{3}[ -]?\d{3}[ -]?\d{3}|020[ -]?\d{4}[ -]?\d{4}|01\d{2,3}[ -]\d{5,6})(?![\w]|[.-]\d)/g, text, (m) =>
        /^07700[ -]?900/.test(m[0]) || demoDigits(digitsIn(m[0])) ? null : whole(m),
      ),
    );
    // France: 06 12 34 56 78 / 01.23.45.67.89
    out.push(
      ...scanRegex(/(?<![\w.+-])0[1-9](?:([ .])\d{2})(?:\1\d{2}){3}(?![\w]|[.-]\d)/g, text, (m) => (demoDigits(digitsIn(m[0])) ? null : whole(m))),
    );
    // Any number labelled as a phone: "Tel: 030 1234567", "mobile 0612345678", "call me at 0612 345 678".
    out.push(
      ...scanRegex(/(?<![\d+])\(?\d[\d ().-]{5,18}\d(?![\d])/g, text, (m) => {
        const d = digitsIn(m[0]);
        if (d.length < 7 || d.length > 15 || demoDigits(d) || /^\d{4}-\d{2}-\d{2}/.test(m[0])) return null;
        return PHONE_LABEL_BEFORE.test(text.slice(Math.max(0, m.index - 40), m.index)) ? whole(m) : null;
      }),
    );
    return out;
  },
};

/** Test card numbers published by Stripe, Adyen, Braintree, PayPal and the card schemes. */
const TEST_CARDS = new Set([
  '4242424242424242', '4000056655665556', '4111111111111111', '4012888888881881', '4222222222222', '4000000000000002', '4000000000009995',
  '4000000000000077', '4000000000000069', '4000000000000127', '4000000000000119', '4000000000003220', '4000002500003155', '4000000000000341',
  '4917610000000000', '4005519200000004', '4009348888881881', '5555555555554444', '2223003122003222', '5200828282828210', '5105105105105100',
  '5431111111111111', '5454545454545454', '2221000000000009', '378282246310005', '371449635398431', '378734493671000', '6011111111111117',
  '6011000990139424', '6011000400000000', '3056930009020004', '36227206271667', '30569309025904', '38520000023237', '3566002020360505',
  '3530111333300000', '6200000000000005', '6759649826438453', '5019717010103742', '6304000000000000', '4988438843884305',
]);

const paymentCard: PrivacyRule = {
  id: 'pii.payment_card',
  category: 'personal',
  description: 'Payment card number (known brand prefix and length, Luhn-valid; published test cards excluded)',
  scan: (text) =>
    scanRegex(/(?<![\d.,-])\d(?:[ -]?\d){11,18}(?![\d]|[.,]\d)/g, text, (m) => {
      const seps = m[0].replace(/\d/g, '');
      if (seps && new Set(seps).size > 1) return null; // mixed separators: not a card as written
      // Written in groups, the card may be followed by another group ("4532 0151 1283 0366 12"): try group prefixes.
      const groups = seps ? m[0].split(seps[0]!) : [m[0]];
      let best: Span | null = null;
      let digits = '';
      let length = -1;
      for (const g of groups) {
        digits += g;
        length += g.length + 1;
        if (digits.length >= 13 && digits.length <= 19 && cardBrand(digits) && luhnValid(digits) && !TEST_CARDS.has(digits) && !demoDigits(digits)) {
          best = { offset: m.index, length };
        }
      }
      return best;
    }),
};

/** IBANs published as examples (ECBS/SWIFT registry and bank documentation). */
const EXAMPLE_IBANS = new Set([
  'GB82WEST12345698765432', 'GB29NWBK60161331926819', 'DE89370400440532013000', 'FR1420041010050500013M02606', 'FR7630006000011234567890189',
  'NL91ABNA0417164300', 'ES9121000418450200051332', 'IT60X0542811101000000123456', 'BE68539007547034', 'CH9300762011623852957',
  'AT611904300234573201', 'PL61109010140000071219812874', 'SE4550000000058398257466', 'NO9386011117947', 'DK5000400440116243',
  'IE29AIBK93115212345678', 'PT50000201231234567890154', 'LU280019400644750000', 'FI2112345600000785',
]);

const iban: PrivacyRule = {
  id: 'pii.iban',
  category: 'personal',
  description: 'IBAN (known country and length, mod-97 valid; published example IBANs excluded)',
  scan: (text) =>
    scanRegex(/(?<![A-Za-z0-9])[A-Z]{2}\d{2}[ ]?[A-Z0-9]{4}/g, text, (m) => {
      // Take exactly the country's length in alphanumerics, allowing single spaces (so trailing words are not swallowed).
      let compact = '';
      let i = m.index;
      for (; i < text.length && compact.length < 34; i++) {
        const ch = text[i]!;
        if (/[A-Z0-9]/.test(ch)) compact += ch;
        else if (!(ch === ' ' && /[A-Z0-9]/.test(text[i + 1] ?? '') && compact.length >= 4 && compact.length % 4 === 0)) break;
        if (compact.length >= 15 && ibanValid(compact) && !/[A-Za-z0-9]/.test(text[i + 1] ?? '')) {
          return EXAMPLE_IBANS.has(compact) ? null : { offset: m.index, length: i + 1 - m.index };
        }
      }
      return null;
    }),
};

const usSsn: PrivacyRule = {
  id: 'pii.us_ssn',
  category: 'personal',
  description: 'US Social Security number (AAA-GG-SSSS with issuance rules; 9 digits when labelled SSN)',
  scan: (text) => [
    ...scanRegex(/(?<![\d-])(\d{3})-(\d{2})-(\d{4})(?![\d]|-\d)/g, text, (m) =>
      ssnPlausible(m[1]!, m[2]!, m[3]!) && !['123456789', '078051120', '219099999'].includes(m[1]! + m[2]! + m[3]!) ? whole(m) : null,
    ),
    ...scanRegex(/\b(?:SSN|social security(?: number| no\.?)?)\s*(?:#|:|is|=)?\s*(\d{3})\s?(\d{2})\s?(\d{4})(?!\d)/dgi, text, (m) =>
      ssnPlausible(m[1]!, m[2]!, m[3]!) && m[1]! + m[2]! + m[3]! !== '123456789' ? { offset: m.indices![1]![0], length: m.indices![3]![1] - m.indices![1]![0] } : null,
    ),
  ],
};

/** ABA routing number checksum (weights 3, 7, 1). */
function abaValid(d: string): boolean {
  if (!/^\d{9}$/.test(d) || /^0{9}$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(d[i]) * [3, 7, 1][i % 3]!;
  return sum % 10 === 0;
}

const bankAccount: PrivacyRule = {
  id: 'pii.bank_account',
  category: 'personal',
  description: 'Domestic bank account details: UK sort code + account number, US ABA routing number (checksum) + account number',
  scan: (text) => [
    ...scanRegex(/\bsort[ -]?code\b\s*(?:is|:|-)?\s*(\d{2}[- ]?\d{2}[- ]?\d{2})\b[^\n]{0,60}?\b(?:account|acct|a\/c)(?:\s*(?:number|no\.?|#))?\s*(?:is|:|-)?\s*(\d{8})(?!\d)/dgi, text, (m) =>
      demoDigits(m[2]!) || /^(?:00-?00-?00|12-?34-?56)$/.test(m[1]!.replace(/\s/g, '')) ? null : { offset: m.indices![1]![0], length: m.indices![2]![1] - m.indices![1]![0] },
    ),
    ...scanRegex(/\b(?:account|acct|a\/c)(?:\s*(?:number|no\.?|#))?\s*(?:is|:|-)?\s*(\d{8})\b[^\n]{0,60}?\bsort[ -]?code\b\s*(?:is|:|-)?\s*(\d{2}[- ]?\d{2}[- ]?\d{2})(?!\d)/dgi, text, (m) =>
      demoDigits(m[1]!) ? null : { offset: m.indices![1]![0], length: m.indices![2]![1] - m.indices![1]![0] },
    ),
    ...scanRegex(/\b(?:routing|ABA|RTN)(?:\s*(?:number|no\.?|#))?\s*(?:is|:|-)?\s*(\d{9})\b[^\n]{0,80}?\b(?:account|acct)(?:\s*(?:number|no\.?|#))?\s*(?:is|:|-)?\s*(\d{4,17})(?!\d)/dgi, text, (m) =>
      abaValid(m[1]!) && !demoDigits(m[2]!) ? { offset: m.indices![1]![0], length: m.indices![2]![1] - m.indices![1]![0] } : null,
    ),
  ],
};

const passportNumber: PrivacyRule = {
  id: 'pii.passport_number',
  category: 'personal',
  description: 'Passport number labelled as such (6–9 letters/digits with at least one digit)',
  scan: (text) =>
    scanRegex(/\b(?:passport|reisepass|passeport|pasaporte|passaporto)(?:\s*(?:number|no\.?|nr\.?|n[º°o]\.?|#|num(?:ber|éro)?))?\s*(?:is|:|-)?\s*([A-Z0-9]{6,9})\b/dgi, text, (m) => {
      const v = m[1]!;
      return /\d/.test(v) && /^[A-Z0-9]+$/.test(v) && !demoDigits(v.replace(/\D/g, '') || '0') && !/^(?:X+\d*|0+|123456789|A?1234567\d?)$/i.test(v) ? groupSpan(m, 1) : null;
    }),
};

const MONTH = '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const DATE = `(?:\\d{1,2}[./-]\\d{1,2}[./-](?:19|20)?\\d{2}|(?:19|20)\\d{2}-\\d{2}-\\d{2}|\\d{1,2}(?:st|nd|rd|th)?\\s+${MONTH}\\.?,?\\s+(?:19|20)\\d{2}|${MONTH}\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+(?:19|20)\\d{2})`;

const DOB_RE = new RegExp(
  `\\b(?:DOB|D\\.O\\.B\\.|date[ _-]?of[ _-]?birth|birth[ _-]?date|birthday|born(?: on)?|geboren(?: am)?|né(?:e)? le|fecha de nacimiento)["']?\\s*(?::|=|is)?\\s*["']?(${DATE})`,
  'dgi',
);

const dateOfBirth: PrivacyRule = {
  id: 'pii.date_of_birth',
  category: 'personal',
  description: 'A full date of birth labelled as such (DOB, date of birth, born on …); 1 January placeholders excluded',
  scan: (text) =>
    scanRegex(DOB_RE, text, (m) => {
      const d = m[1]!;
      if (/^(?:0?1[./-]0?1[./-]|(?:19|20)\d{2}-01-01$)/.test(d) || /^1(?:st)?\s+jan/i.test(d) || /^jan\w*\.?\s+1(?:st)?,/i.test(d)) return null; // 1 January: the default placeholder
      return groupSpan(m, 1);
    }),
};

const ukNino: PrivacyRule = {
  id: 'pii.uk_nino',
  category: 'personal',
  description: 'UK National Insurance number (HMRC prefix rules; HMRC example AB123456C excluded)',
  scan: (text) =>
    scanRegex(/(?<![A-Za-z0-9])[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])/g, text, (m) =>
      ninoPlausible(m[0]) && m[0].replace(/\s/g, '') !== 'AB123456C' ? whole(m) : null,
    ),
};

const esDni: PrivacyRule = {
  id: 'pii.es_dni',
  category: 'personal',
  description: 'Spanish DNI / NIE (mod-23 control letter)',
  scan: (text) =>
    scanRegex(/(?<![A-Za-z0-9])(?:\d{8}|[XYZ]-?\d{7})-?[A-HJ-NP-TV-Z](?![A-Za-z0-9])/g, text, (m) => (spanishIdValid(m[0]) ? whole(m) : null)),
};

const itCodiceFiscale: PrivacyRule = {
  id: 'pii.it_codice_fiscale',
  category: 'personal',
  description: 'Italian codice fiscale (control character)',
  scan: (text) =>
    scanRegex(/(?<![A-Za-z0-9])[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z](?![A-Za-z0-9])/g, text, (m) =>
      codiceFiscaleValid(m[0]) ? whole(m) : null,
    ),
};

const brCpf: PrivacyRule = {
  id: 'pii.br_cpf',
  category: 'personal',
  description: 'Brazilian CPF (000.000.000-00, or 11 digits labelled CPF; two check digits)',
  scan: (text) => [
    ...scanRegex(/(?<![\d.])\d{3}\.\d{3}\.\d{3}-\d{2}(?![\d])/g, text, (m) => (cpfValid(m[0]) ? whole(m) : null)),
    ...scanRegex(/\bCPF\s*(?:n[º°o]\.?|#|:)?\s*(\d{11})(?!\d)/dgi, text, (m) => (cpfValid(m[1]!) ? groupSpan(m, 1) : null)),
  ],
};

const frNir: PrivacyRule = {
  id: 'pii.fr_nir',
  category: 'personal',
  description: 'French social security number (NIR, 13 digits + mod-97 key)',
  scan: (text) =>
    scanRegex(/(?<![\dA-Za-z])[12][ .]?\d{2}[ .]?\d{2}[ .]?(?:\d{2}|2[AB])[ .]?\d{3}[ .]?\d{3}[ .]?\d{2}(?![\dA-Za-z])/g, text, (m) =>
      nirValid(m[0]) ? whole(m) : null,
    ),
};

const inAadhaar: PrivacyRule = {
  id: 'pii.in_aadhaar',
  category: 'personal',
  description: 'Indian Aadhaar number (XXXX XXXX XXXX, or 12 digits labelled Aadhaar; Verhoeff check)',
  scan: (text) => [
    ...scanRegex(/(?<![\d-]|\d[ -])[2-9]\d{3}([ -])\d{4}\1\d{4}(?![\d]|[ -]\d)/g, text, (m) => (aadhaarValid(m[0]) ? whole(m) : null)),
    ...scanRegex(/\b(?:aadhaar|aadhar|UIDAI)\b\D{0,16}([2-9]\d{11})(?!\d)/dgi, text, (m) => (aadhaarValid(m[1]!) ? groupSpan(m, 1) : null)),
  ],
};

const nlBsn: PrivacyRule = {
  id: 'pii.nl_bsn',
  category: 'personal',
  description: 'Dutch citizen service number (BSN, labelled; 11-proof)',
  scan: (text) =>
    scanRegex(/\b(?:BSN|burgerservicenummer|sofinummer)\b\D{0,16}(\d{4}\.?\d{2}\.?\d{3}|\d{9})(?!\d)/dgi, text, (m) => (bsnValid(m[1]!) ? groupSpan(m, 1) : null)),
};

// ---------------------------------------------------------------------------------------------------------------
// Customer-data markers

const confidentialMarker: PrivacyRule = {
  id: 'marker.confidential',
  category: 'customer_data',
  description: 'Confidentiality markings (CONFIDENTIAL, "this document is confidential", internal use only, under NDA, do not distribute)',
  scan: (text) => [
    // Upper-case label, but not an identifier or enum member (Level.CONFIDENTIAL, 'CONFIDENTIAL', PUBLIC | CONFIDENTIAL).
    ...scanRegex(/\b(?:STRICTLY |HIGHLY |COMPANY |BUSINESS )?CONFIDENTIAL\b(?! COMPUTING)/g, text, (m) => {
      const prev = text.slice(Math.max(0, m.index - 12), m.index);
      const next = text[m.index + m[0].length] ?? '';
      if (/[._'"`]$/.test(prev) || /[_'"`=,);|]/.test(next) || /[A-Z_]{3,}\s*[,|]\s*$/.test(prev)) return null;
      return whole(m);
    }),
    ...scanRegex(/\bINTERNAL(?: USE)? ONLY\b|\bFOR INTERNAL USE\b/g, text, whole),
    ...scanRegex(
      /(?:^|\n)[ \t>*_[(]*(?:strictly |highly )?confidential\b(?![ \t]+(?:computing|client|clients|vm|vms|containers?|space|ledger|transactions?)\b)|\b(?:company|strictly|highly|business)[- ]confidential\b|\b(?:proprietary|privileged)\s+(?:and|&)\s+confidential\b|\bconfidential\s+(?:and|&)\s+(?:proprietary|privileged)\b|\b(?:this|the following|the attached|attached|enclosed|below)\s+(?:[\w-]+\s+){0,2}(?:is|are)\s+(?:strictly\s+|highly\s+)?confidential\b|\bfor internal use only\b|(?:^|\n|[[(:|*-]\s*)internal[ -]+(?:use[ -]+)?only\b|\bdo not (?:distribute|forward|share externally)\b|\bnot for (?:public |external )?(?:distribution|release)\b|\bunder (?:an? )?NDA\b/gi,
      text,
      whole,
    ),
  ],
};

const classificationLabel: PrivacyRule = {
  id: 'marker.classification_label',
  category: 'customer_data',
  description: 'Data-classification labels (Classification: Restricted, TLP:RED/AMBER, [PII], SECRET//NOFORN, OFFICIAL-SENSITIVE)',
  scan: (text) => [
    ...scanRegex(
      /\b(?:data[ _-]?)?(?:classification|sensitivity(?:[ _-]label)?|security[ _-]classification|information[ _-]classification)["']?\s*[:=]\s*["']?(?:confidential|restricted|internal|secret|sensitive|private|highly[ _-]confidential|strictly[ _-]confidential|pii|phi|pci)\b/gi,
      text,
      whole,
    ),
    ...scanRegex(/\bTLP:\s?(?:RED|AMBER(?:\+STRICT)?)\b|\bTOP SECRET\b|\bSECRET\/\/|\/\/NOFORN\b|\bFOUO\b|\bOFFICIAL[- ]SENSITIVE\b|\bCUI\/\//g, text, whole),
    ...scanRegex(/\[(?:RESTRICTED|CONFIDENTIAL|SENSITIVE|PII|PHI|PCI)\]/g, text, whole),
  ],
};

/** The sentence around `index` ends with a question mark: someone asking about PII, not handing it over. */
function inQuestion(text: string, index: number): boolean {
  const end = /[.!?\n]/.exec(text.slice(index, index + 300));
  return end?.[0] === '?';
}

const customerDataMarker: PrivacyRule = {
  id: 'marker.customer_data',
  category: 'customer_data',
  description: 'Text saying it carries customer/patient/employee data or PII ("here are our customer records", "contains PII", "PII:")',
  scan: (text) => [
    ...scanRegex(
      /\b(?:here(?:'s| is| are)|below (?:is|are)|attached (?:is|are)|the following (?:is|are)|pasting|pasted|paste of|dump of|export of|extract of|excerpt (?:of|from)|rows? (?:of|from)|sample of|these are|this is)\s+(?:(?:some|our|the|a|an|real|actual|production|prod|live|raw|my|these|this|few|latest|full)\s+){0,3}(?:customer|client|patient|employee|user|member|subscriber|citizen|student|donor)s?'?\s+(?:data|records?|list|details|info(?:rmation)?|PII|PHI|emails?|addresses|accounts?|profiles?|dump|export|table|rows|database)\b/gi,
      text,
      whole,
    ),
    ...scanRegex(
      /\b(?:contains?|containing|includes?|including|with|has)\s+(?:real\s+|actual\s+|live\s+)?(?:customer\s+)?(?:PII|PHI|personal\s+data|personally\s+identifiable\s+information|cardholder\s+data)\b(?!\s+(?:detection|redaction|scrubbing|masking|filter|removed|stripped|redacted|masked|anonymi[sz]ed))/gi,
      text,
      (m) => (inQuestion(text, m.index) ? null : whole(m)),
    ),
    ...scanRegex(/\b(?:PII|PHI|customer data|patient data)\s*:/g, text, whole),
  ],
};

const PERSON_COLUMN = /^(?:(?:customer|client|patient|employee|user|contact|member)[ _-]?)?(?:name|full[ _-]?name|first[ _-]?name|last[ _-]?name|surname|given[ _-]?name|family[ _-]?name)$/i;
const CONTACT_COLUMN =
  /^(?:(?:customer|client|patient|employee|user|contact|member|primary|home|work)[ _-]?)?(?:e-?mail(?:[ _-]?address)?|phone(?:[ _-]?number)?|mobile|tel|(?:street|postal|mailing|billing|shipping|home)[ _-]?address|street|dob|date[ _-]?of[ _-]?birth|birth[ _-]?date|birthday|ssn|national[ _-]?id|iban|card[ _-]?number|passport(?:[ _-]?number)?)$/i;

function fixtureEmails(rows: string): boolean {
  const emails = rows.match(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g) ?? [];
  return emails.length > 0 && emails.every(isDocumentationEmail);
}

const personalRecords: PrivacyRule = {
  id: 'marker.personal_records',
  category: 'customer_data',
  description: 'Tabular or JSON dump of people (name + contact/identity columns, two or more rows); fixtures with documentation emails excluded',
  scan: (text) => {
    const out: Span[] = [];
    // CSV / TSV / pipe tables: a header line, then at least two rows with the same delimiter.
    const lines = text.split('\n');
    let offset = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const delim = [',', '\t', ';', '|'].find((d) => line.split(d).length >= 2);
      if (delim && line.length < 500) {
        const cols = line.split(delim).map((c) => c.trim().replace(/^["'`]|["'`]$/g, ''));
        if (cols.some((c) => PERSON_COLUMN.test(c)) && cols.some((c) => CONTACT_COLUMN.test(c))) {
          const rows = lines.slice(i + 1, i + 6).filter((l) => l.split(delim).length >= cols.length - 1 && !/^[\s|:-]+$/.test(l) && l.trim());
          if (rows.length >= 2 && !fixtureEmails(rows.join('\n'))) out.push({ offset, length: line.length });
        }
      }
      offset += line.length + 1;
    }
    // JSON / object dumps: two or more objects with a person key and a contact key carrying string values.
    const names = [...text.matchAll(/(?<![A-Za-z0-9_])["']?(?:full_?name|first_?name|last_?name|name|customer_?name)["']?\s*:\s*["'][^"'\n]{2,}["']/gi)];
    const contacts = [...text.matchAll(/(?<![A-Za-z0-9_])["']?(?:e-?mail|phone|mobile|home_?address|street|dob|date_?of_?birth|birth_?date|ssn)["']?\s*:\s*["'][^"'\n]{3,}["']/gi)];
    if (names.length >= 2 && contacts.length >= 2 && !fixtureEmails(contacts.map((c) => c[0]).join('\n'))) {
      const first = Math.min(names[0]!.index!, contacts[0]!.index!);
      const lastMatch = contacts[contacts.length - 1]!;
      out.push({ offset: first, length: lastMatch.index! + lastMatch[0].length - first });
    }
    return out;
  },
};

/** All rules, in reporting order. Specific credential rules come before the generic ones they overlap. */
export const RULES: readonly PrivacyRule[] = [
  ...providerRules,
  awsSecretKey,
  privateKeyBlock,
  jwt,
  connectionString,
  passwordAssignment,
  bearerToken,
  genericAssignment,
  email,
  phone,
  paymentCard,
  iban,
  bankAccount,
  usSsn,
  passportNumber,
  dateOfBirth,
  ukNino,
  esDni,
  itCodiceFiscale,
  brCpf,
  frNir,
  inAadhaar,
  nlBsn,
  confidentialMarker,
  classificationLabel,
  customerDataMarker,
  personalRecords,
];

/** Rules whose matches are dropped where a more specific credential rule already covers the same text. */
export const GENERIC_RULES: ReadonlySet<string> = new Set(['secret.generic_assignment', 'secret.bearer_token', 'secret.password_assignment', 'pii.phone']);
