import { Writable } from 'node:stream';
import pino from 'pino';
import { REDACT_PATHS } from './logger';

describe('logger redaction', () => {
  it('never writes provider keys, tokens or passwords', () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } });
    const log = pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    log.info({ provider: { api_key: 'sk-secret-1' }, headers: { authorization: 'Bearer tok-2' }, token: 'tok-3', password: 'pw-4' }, 'x');
    const out = lines.join('');
    for (const s of ['sk-secret-1', 'tok-2', 'tok-3', 'pw-4']) expect(out).not.toContain(s);
    expect(out).toContain('[redacted]');
  });
});
