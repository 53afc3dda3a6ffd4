import { decisionHeader, type AutoselectAudit } from './audit';

const audit = (over: Partial<AutoselectAudit> = {}): AutoselectAudit => ({
  autoselectId: 'a',
  at: '2024-05-02T10:00:00.000Z',
  privacy: { verdict: 'public', rules: [], findings: 0, failClosed: false },
  nsfw: { verdict: 'off' },
  needs: { tools: false, vision: false, estimatedPromptTokens: 10 },
  configured: ['x', 'y'],
  stages: [],
  fallback: { id: 'f', allowed: true },
  selection: { route: 's', via: 'semantic', answer: 'x', cached: false },
  route: 'x',
  order: ['x', 'y', 'f'],
  latencyMs: 3,
  ...over,
});

describe('decisionHeader', () => {
  it('summarises privacy, NSFW, candidates left, route and how it was chosen', () => {
    expect(decisionHeader(audit())).toBe('privacy=public;nsfw=off;candidates=2;selected=x;via=semantic');
    expect(decisionHeader(audit({ selection: { route: 's', via: 'semantic', answer: 'x', cached: true } }))).toMatch(/via=semantic-cached$/);
  });

  it('lists at most four rules, then a count', () => {
    const rules = ['secret.aws_key', 'pii.email', 'pii.phone', 'pii.iban', 'pii.us_ssn', 'marker.confidential'];
    const h = decisionHeader(audit({ privacy: { verdict: 'private', rules, findings: 9, failClosed: false } }));
    expect(h).toMatch(/^privacy=private\(secret\.aws_key,pii\.email,pii\.phone,pii\.iban,\+2\);/);
  });

  it('counts candidates after the last filter and keeps the value a valid header', () => {
    const h = decisionHeader(
      audit({ stages: [{ stage: 'privacy', remaining: ['y'], removed: [{ id: 'x', reason: 'not-privacy-marked' }] }], route: 'user-rotation/my team;x=ü' }),
    );
    expect(h).toBe('privacy=public;nsfw=off;candidates=1;selected=user-rotation/my_team_x__;via=semantic');
    expect(h).toMatch(/^[\x21-\x7e]+$/);
  });
});
