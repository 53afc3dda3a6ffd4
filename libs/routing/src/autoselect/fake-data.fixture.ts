/**
 * Deterministic fake credentials and personal data for the detector's tests and labelled prompt set. Values are built
 * at run time from a seeded generator and split prefixes, so no provider-format token appears literally in the source
 * (secret scanners stay quiet) and every run sees the same strings. None of these is a real credential or person.
 */
import { cardBrand, luhnValid } from './checksums';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const HEX = '0123456789abcdef';
const B64 = ALNUM + '+/';
const DIGITS = '0123456789';

function seedOf(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** A seeded generator (mulberry32). */
export function rng(seed: string) {
  let a = seedOf(seed);
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const str = (len: number, alphabet = ALNUM) => {
    let s = '';
    for (let i = 0; i < len; i++) s += alphabet[Math.floor(next() * alphabet.length)];
    return s;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return { next, str, int };
}

const j = (...parts: string[]) => parts.join('');

function luhnFor(prefix: string, len: number, seed: string): string {
  const r = rng(seed);
  for (;;) {
    const body = prefix + r.str(len - prefix.length - 1, DIGITS);
    for (let d = 0; d <= 9; d++) if (luhnValid(body + d)) return body + d;
  }
}

function ibanFor(cc: string, bban: string): string {
  const num = (bban + cc + '00').replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rem = 0;
  for (const d of num) rem = (rem * 10 + Number(d)) % 97;
  return cc + String(98 - rem).padStart(2, '0') + bban;
}

const VD = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1], [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VP = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2], [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1], [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];
const VINV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

function verhoeffDigit(num: string): number {
  let c = 0;
  const rev = num.split('').reverse();
  for (let i = 0; i < rev.length; i++) c = VD[c]![VP[(i + 1) % 8]![Number(rev[i])]!]!;
  return VINV[c]!;
}

const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** Fake values keyed by a seed, so one prompt can hold several distinct ones. */
export function fake(seed = 'x') {
  const r = rng(seed);
  const mixed = (n: number) => {
    // Random base62 with at least one upper, one lower and one digit (as real keys have).
    for (;;) {
      const s = r.str(n);
      if (/[a-z]/.test(s) && /[A-Z]/.test(s) && /\d/.test(s)) return s;
    }
  };
  return {
    openai: () => j('sk', '-proj-', mixed(20), 'T3Blbk', 'FJ', mixed(24)),
    openaiLegacy: () => j('s', 'k-', mixed(48)),
    anthropic: () => j('sk-', 'ant-', 'api03-', mixed(80), '-', mixed(6), 'AA'),
    awsKeyId: () => j('AK', 'IA', r.str(16, UPPER_DIGITS)),
    awsSecret: () => r.str(40, B64),
    github: () => j('gh', 'p_', mixed(36)),
    githubPat: () => j('github', '_pat_', mixed(22), '_', mixed(59)),
    gitlab: () => j('gl', 'pat-', mixed(20)),
    slackBot: () => j('xo', 'xb-', r.str(12, DIGITS), '-', r.str(13, DIGITS), '-', mixed(24)),
    slackWebhook: () => j('https://hooks.', 'slack.com/services/T', r.str(8, UPPER_DIGITS), '/B', r.str(8, UPPER_DIGITS), '/', mixed(24)),
    stripeLive: () => j('sk', '_live_', mixed(24)),
    google: () => j('AI', 'za', 'Sy', mixed(33)),
    huggingface: () => j('h', 'f_', mixed(34)),
    npm: () => j('np', 'm_', mixed(36)),
    groq: () => j('gs', 'k_', mixed(52)),
    xai: () => j('xa', 'i-', mixed(80)),
    sendgrid: () => j('S', 'G.', mixed(22), '.', mixed(43)),
    digitalocean: () => j('do', 'p_v1_', r.str(64, HEX)),
    telegram: () => j(String(r.int(100000000, 999999999)), ':AA', mixed(33)),
    pypi: () => j('py', 'pi-AgEIcHlwaS5vcmc', mixed(60)),
    sentryDsn: () => j('https://', r.str(32, HEX), '@o', String(r.int(100000, 999999)), '.ingest.sentry.io/', String(r.int(1000000, 9999999))),
    azureKey: () => j('Account', 'Key=', r.str(86, B64), '=='),
    hex: (n: number) => r.str(n, HEX),
    token: (n = 32) => mixed(n),
    password: () => j(mixed(6), '!', r.str(3, DIGITS), mixed(3)),
    pem: (kind = 'RSA ') => {
      const lines = Array.from({ length: 4 }, () => r.str(64, B64)).join('\n');
      return j('-----BEGIN ', kind, 'PRIVATE', ' KEY-----\n', 'MIIE', lines, '\n-----END ', kind, 'PRIVATE', ' KEY-----');
    },
    jwt: (claims: Record<string, unknown> = {}) =>
      [b64url({ alg: 'HS256', typ: 'JWT' }), b64url({ sub: `user_${r.int(1000, 9999)}`, iat: 1717000000 + r.int(0, 99999), ...claims }), r.str(43, ALNUM + '-_')].join('.'),
    card: (prefix = '4', len = 16) => {
      for (let i = 0; ; i++) {
        const n = luhnFor(prefix, len, `${seed}:card:${prefix}:${i}:${r.next()}`);
        if (cardBrand(n)) return n;
      }
    },
    cardSpaced: (prefix = '4') => {
      const n = fake(seed + ':cs').card(prefix, 16);
      return n.replace(/(\d{4})(?=\d)/g, '$1 ');
    },
    iban: (cc = 'DE') => (cc === 'DE' ? ibanFor('DE', r.str(18, DIGITS)) : cc === 'GB' ? ibanFor('GB', j('NWBK', r.str(14, DIGITS))) : ibanFor('FR', r.str(23, DIGITS))),
    ibanSpaced: (cc = 'DE') => fake(seed + ':is').iban(cc).replace(/(.{4})(?=.)/g, '$1 '),
    ssn: () => `${r.int(200, 665)}-${String(r.int(1, 99)).padStart(2, '0')}-${String(r.int(1, 9999)).padStart(4, '0')}`,
    nino: () => j('J', 'K', r.str(6, DIGITS), 'C'),
    dni: () => {
      const n = r.int(10000000, 99999999);
      return `${n}${'TRWAGMYFPDXBNJZSQVHLCKE'[n % 23]}`;
    },
    cpf: () => {
      for (;;) {
        const d = r.str(9, DIGITS).split('').map(Number);
        const c1 = ((d.reduce((s, x, i) => s + x * (10 - i), 0) * 10) % 11) % 10;
        const d2 = [...d, c1];
        const c2 = ((d2.reduce((s, x, i) => s + x * (11 - i), 0) * 10) % 11) % 10;
        const s = [...d2, c2].join('');
        if (!/^(\d)\1+$/.test(s)) return `${s.slice(0, 3)}.${s.slice(3, 6)}.${s.slice(6, 9)}-${s.slice(9)}`;
      }
    },
    nir: () => {
      const body = j(String(r.int(1, 2)), String(r.int(50, 99)), String(r.int(1, 12)).padStart(2, '0'), String(r.int(10, 95)), r.str(6, DIGITS));
      const key = 97 - Number(BigInt(body) % 97n);
      return `${body[0]} ${body.slice(1, 3)} ${body.slice(3, 5)} ${body.slice(5, 7)} ${body.slice(7, 10)} ${body.slice(10, 13)} ${String(key).padStart(2, '0')}`;
    },
    aadhaar: () => {
      const body = String(r.int(2, 9)) + r.str(10, DIGITS);
      const n = body + verhoeffDigit(body);
      return `${n.slice(0, 4)} ${n.slice(4, 8)} ${n.slice(8)}`;
    },
    codiceFiscale: () => {
      const L = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
      const body = j(r.str(6, L), r.str(2, DIGITS), 'ABCDEHLMPRST'[r.int(0, 11)]!, String(r.int(1, 28)).padStart(2, '0'), r.str(1, L), r.str(3, DIGITS));
      const odd = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
      let sum = 0;
      for (let i = 0; i < 15; i++) {
        const c = body[i]!;
        const v = c >= 'A' ? c.charCodeAt(0) - 65 : c.charCodeAt(0) - 48;
        sum += i % 2 === 0 ? odd[v]! : v;
      }
      return body + L[sum % 26];
    },
    bsn: () => {
      for (;;) {
        const d = r.str(8, DIGITS).split('').map(Number);
        const s = d.reduce((acc, x, i) => acc + x * (9 - i), 0);
        const last = s % 11;
        if (last <= 9 && d[0] !== 0) return [...d, last].join('');
      }
    },
    phoneUs: () => {
      const pick = () => {
        const n = r.int(201, 989);
        return /\d11|555/.test(String(n)) ? 312 : n;
      };
      return `(${pick()}) ${pick()}-${String(r.int(1000, 9999))}`;
    },
    phoneIntl: () => `+44 7${r.int(400, 999)} ${r.int(100000, 999999)}`,
    phoneFr: () => `06 ${r.int(10, 99)} ${r.int(10, 99)} ${r.int(10, 99)} ${r.int(10, 99)}`,
    email: (name = 'jane.doe') => `${name}${r.int(1, 99)}@${['gmail.com', 'outlook.com', 'proton.me', 'fastmail.fm', 'acme-corp.io', 'nordbank.de'][r.int(0, 5)]}`,
    uuid: () => [r.str(8, HEX), r.str(4, HEX), '4' + r.str(3, HEX), '8' + r.str(3, HEX), r.str(12, HEX)].join('-'),
  };
}
