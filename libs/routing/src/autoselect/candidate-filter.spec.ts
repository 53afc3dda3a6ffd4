import { AppError } from '@aisbf/platform-errors';
import { assessPrivacy, canRouteSeeRequest, filterCandidates, hasCapability, refusalError, type FilterInput } from './candidate-filter';
import { fake } from './fake-data.fixture';
import { chat, engineeringConfig, traits } from './test-config.fixture';

const secret = fake('filter').awsKeyId();
const base = (over: Partial<FilterInput> = {}): FilterInput => ({ autoselectId: 'engineering', config: engineeringConfig(), request: chat('refactor this function'), traits, ...over });

describe('assessPrivacy', () => {
  it('is off unless the autoselect classifies privacy', () => {
    expect(assessPrivacy(engineeringConfig({ classify_privacy: false }), chat(secret)).verdict).toBe('off');
  });

  it('runs the detector and names the rules, never the text', () => {
    const p = assessPrivacy(engineeringConfig(), chat(`key ${secret}`));
    expect(p).toEqual({ verdict: 'private', rules: ['secret.aws_key'], findings: 1, failClosed: false });
    expect(JSON.stringify(p)).not.toContain(secret);
  });

  it('fails closed: a failed, timed-out or missing classifier verdict is private', () => {
    const c = engineeringConfig({ privacy_classifier: 'rotation/privacy-judge' });
    expect(assessPrivacy(c, chat('hello'), { privacyClassifier: 'public' }).verdict).toBe('public');
    expect(assessPrivacy(c, chat('hello'), { privacyClassifier: 'private' })).toMatchObject({ verdict: 'private', failClosed: false });
    expect(assessPrivacy(c, chat('hello'), { privacyClassifier: 'failed' })).toMatchObject({ verdict: 'private', failClosed: true });
    expect(assessPrivacy(c, chat('hello'), { privacyClassifier: 'timeout' })).toMatchObject({ verdict: 'private', failClosed: true });
    expect(assessPrivacy(c, chat('hello'), {})).toMatchObject({ verdict: 'private', classifier: 'failed', failClosed: true });
  });

  it('a configured privacy classifier turns privacy on even without classify_privacy', () => {
    const c = engineeringConfig({ classify_privacy: false, privacy_classifier: 'rotation/privacy-judge' });
    expect(assessPrivacy(c, chat(secret), {}).verdict).toBe('private');
  });
});

describe('canRouteSeeRequest', () => {
  it('lets anything see a public request, only privacy-marked routes a private one', () => {
    expect(canRouteSeeRequest('rotation/selector', 'public', traits)).toBe(true);
    expect(canRouteSeeRequest('rotation/selector', 'off', traits)).toBe(true);
    expect(canRouteSeeRequest('rotation/selector', 'private', traits)).toBe(false);
    expect(canRouteSeeRequest('rotation/local-selector', 'private', traits)).toBe(true);
    expect(canRouteSeeRequest('rotation/unknown', 'private', traits)).toBe(false);
    expect(canRouteSeeRequest('rotation/local-selector', 'private')).toBe(false);
  });
});

describe('filterCandidates', () => {
  it('keeps every candidate, best first, for an ordinary request', () => {
    const r = filterCandidates(base());
    expect(r.privacy.verdict).toBe('public');
    expect(r.candidates.map((c) => c.id)).toEqual(['rotation/coding', 'rotation/local-coder', 'rotation/vision', 'rotation/uncensored']);
    expect(r.fallback).toEqual({ id: 'rotation/general', allowed: true });
    expect(r.refusal).toBeUndefined();
  });

  it('private: only privacy-marked candidates; a public fallback is excluded', () => {
    const r = filterCandidates(base({ request: chat(`deploy with ${secret}`) }));
    expect(r.candidates.map((c) => c.id)).toEqual(['rotation/local-coder']);
    expect(r.fallback).toEqual({ id: 'rotation/general', allowed: false, reason: 'fallback-not-privacy-marked' });
    expect(r.stages.map((st) => st.stage)).toEqual(['privacy', 'context']);
    expect(r.stages[0]).toEqual(
      {
        stage: 'privacy',
        remaining: ['rotation/local-coder'],
        removed: [
          { id: 'rotation/coding', reason: 'not-privacy-marked' },
          { id: 'rotation/vision', reason: 'not-privacy-marked' },
          { id: 'rotation/uncensored', reason: 'not-privacy-marked' },
        ],
      },
    );
  });

  it('private with a privacy-marked fallback keeps the fallback', () => {
    const r = filterCandidates(base({ config: engineeringConfig({ fallback: 'rotation/local-general' }), request: chat(secret) }));
    expect(r.fallback.allowed).toBe(true);
  });

  it('a candidate marked privacy whose route says privacy: false does not count', () => {
    const r = filterCandidates(base({ request: chat(secret), traits: (id) => (id === 'rotation/local-coder' ? { privacy: false } : traits(id)) }));
    expect(r.candidates).toEqual([]);
    expect(r.refusal?.code).toBe('PRIVACY_REFUSED');
  });

  it('refuses a private request no privacy route can take, naming the rules, never the text, and never downgrades', () => {
    const config = engineeringConfig({ available_models: [{ model_id: 'rotation/coding', description: 'hosted' }] });
    const r = filterCandidates(base({ config, request: chat(`AWS key ${secret}`) }));
    expect(r.candidates).toEqual([]);
    expect(r.refusal).toMatchObject({ code: 'PRIVACY_REFUSED', reason: 'privacy' });
    expect(r.refusal!.message).toMatch(/judged private \(detector: secret\.aws_key\)/);
    expect(r.refusal!.message).toMatch(/fallback 'rotation\/general' is not privacy-marked/);
    expect(r.refusal!.message).not.toContain(secret);
    const err = refusalError(r.refusal!);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('PRIVACY_REFUSED');
    expect(err.retryable).toBe(false);
  });

  it('refuses when the classifier timed out and nothing privacy-marked qualifies (fail closed)', () => {
    const config = engineeringConfig({ privacy_classifier: 'rotation/privacy-judge', available_models: [{ model_id: 'rotation/coding' }] });
    const r = filterCandidates(base({ config, request: chat('hello'), signals: { privacyClassifier: 'timeout' } }));
    expect(r.refusal?.code).toBe('PRIVACY_REFUSED');
    expect(r.refusal!.message).toMatch(/privacy classifier timed out, treated as private/);
  });

  it('names the later filter when privacy-marked candidates were excluded by it', () => {
    const r = filterCandidates(base({ request: chat(`see ${secret}`, { messages: [{ role: 'user', content: [{ type: 'text', text: secret }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] }) }));
    expect(r.refusal?.code).toBe('PRIVACY_REFUSED');
    expect(r.refusal!.message).toMatch(/excluded by: capabilities/);
  });

  it('NSFW: flagged → only nsfw candidates; unknown (failed classifier) restricts nothing', () => {
    const config = engineeringConfig({ classify_nsfw: true, nsfw_classifier: 'rotation/privacy-judge' });
    expect(filterCandidates(base({ config, signals: { nsfwClassifier: 'nsfw' } })).candidates.map((c) => c.id)).toEqual(['rotation/uncensored']);
    expect(filterCandidates(base({ config, signals: { nsfwClassifier: 'timeout' } })).candidates).toHaveLength(4);
    expect(filterCandidates(base({ config, signals: { nsfwClassifier: 'timeout' } })).nsfw).toEqual({ verdict: 'unknown', classifier: 'timeout' });
  });

  it('NSFW and private together: a candidate must be both', () => {
    const config = engineeringConfig({ nsfw_classifier: 'rotation/privacy-judge', fallback: 'rotation/local-general' });
    const r = filterCandidates(base({ config, request: chat(secret), signals: { nsfwClassifier: 'nsfw' } }));
    expect(r.candidates).toEqual([]);
    expect(r.fallback.allowed).toBe(true); // privacy-marked, NSFW unknown → the catch-all may take it
  });

  it('tools need tool use; images need vision; unknown capabilities are excluded by default', () => {
    const config = engineeringConfig({ available_models: [...engineeringConfig().available_models, { model_id: 'rotation/bare' }] });
    const tools = filterCandidates(base({ config, request: chat('x', { tools: [{ type: 'function', function: { name: 'f' } }] }) }));
    expect(tools.candidates.map((c) => c.id)).toEqual(['rotation/coding', 'rotation/local-coder', 'rotation/vision']);
    expect(tools.stages[0]!.removed).toEqual([
      { id: 'rotation/uncensored', reason: 'capabilities-unknown' },
      { id: 'rotation/bare', reason: 'capabilities-unknown' },
    ]);
    const allow = filterCandidates(base({ config, unknownCapabilities: 'allow', request: chat('x', { tools: [{ type: 'function' }] }) }));
    expect(allow.candidates).toHaveLength(5);
    const image = chat('x', { messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] });
    expect(filterCandidates(base({ request: image })).candidates.map((c) => c.id)).toEqual(['rotation/vision']);
    const none = filterCandidates(base({ request: chat('x', { tools: [{ type: 'function' }], tool_choice: 'none' } as never) }));
    expect(none.stages.map((st) => st.stage)).toEqual(['context']);
  });

  it('candidates without their own capabilities use the route traits', () => {
    const config = engineeringConfig({ available_models: [{ model_id: 'rotation/local-general' }] });
    const r = filterCandidates(base({ config, request: chat('x', { tools: [{ type: 'function' }] }) }));
    expect(r.candidates.map((c) => c.id)).toEqual(['rotation/local-general']);
  });

  it('excludes candidates whose context is smaller than the prompt; the fallback only when its context is known to be too small', () => {
    const r = filterCandidates(base({ estimatedPromptTokens: 50_000 }));
    expect(r.candidates.map((c) => c.id)).toEqual(['rotation/coding', 'rotation/vision', 'rotation/uncensored']);
    expect(r.stages.at(-1)!.removed).toEqual([{ id: 'rotation/local-coder', reason: 'context-too-small(32000)' }]);
    const big = filterCandidates(base({ config: engineeringConfig({ fallback: 'rotation/local-general' }), request: chat(secret), estimatedPromptTokens: 50_000 }));
    expect(big.refusal?.code).toBe('PRIVACY_REFUSED');
    expect(big.fallback.reason).toBe('fallback-context-too-small');
  });

  it('estimates the prompt size itself when not told', () => {
    const r = filterCandidates(base({ request: chat('z'.repeat(4 * 40_000)) }));
    expect(r.needs.estimatedPromptTokens).toBeGreaterThan(40_000);
    expect(r.candidates.map((c) => c.id)).not.toContain('rotation/local-coder');
  });

  it("a caller's error with a reason when nothing fits and the fallback is known not to", () => {
    const config = engineeringConfig({ classify_privacy: false, fallback: 'rotation/local-general', available_models: [{ model_id: 'rotation/coding', context_size: 1000 }] });
    const r = filterCandidates(base({ config, estimatedPromptTokens: 9000 }));
    expect(r.refusal).toMatchObject({ code: 'CONTEXT_LENGTH', reason: 'context', param: 'messages' });
    expect(r.refusal!.message).toMatch(/larger than every candidate's context/);
    const tools = filterCandidates(
      base({ config: engineeringConfig({ classify_privacy: false, fallback: 'rotation/local-selector', available_models: [{ model_id: 'rotation/coding', capabilities: ['chat'] }] }), request: chat('x', { tools: [{ type: 'function' }] }) }),
    );
    expect(tools.refusal).toBeUndefined(); // the fallback's capabilities are unknown: it stays the catch-all
    const chatOnly = (id: string) => (id === 'rotation/chat-only' ? { capabilities: ['chat'] } : traits(id));
    const noTools = filterCandidates(
      base({ config: engineeringConfig({ classify_privacy: false, fallback: 'rotation/chat-only', available_models: [{ model_id: 'rotation/coding', capabilities: ['chat'] }] }), traits: chatOnly, request: chat('x', { tools: [{ type: 'function' }] }) }),
    );
    expect(noTools.refusal).toMatchObject({ code: 'INVALID_REQUEST', reason: 'capabilities', param: 'tools' });
    const err = refusalError(noTools.refusal!, { decision: 'x' });
    expect(err.toEnvelope()).toMatchObject({ code: 'INVALID_REQUEST', retryable: false, param: 'tools', details: [{ decision: 'x' }] });
  });

  it('drops already-failed candidates (and the fallback once it failed)', () => {
    const r = filterCandidates(base({ exclude: ['rotation/coding', 'rotation/general'] }));
    expect(r.candidates.map((c) => c.id)).toEqual(['rotation/local-coder', 'rotation/vision', 'rotation/uncensored']);
    expect(r.fallback).toEqual({ id: 'rotation/general', allowed: false, reason: 'already-failed' });
    const all = filterCandidates(base({ exclude: [...r.configured, 'rotation/general'] }));
    expect(all.refusal).toMatchObject({ code: 'NO_CANDIDATES', reason: 'exhausted' });
  });

  it('ignores duplicate candidate ids and keeps configuration order on equal priority', () => {
    const config = engineeringConfig({ available_models: [{ model_id: 'b' }, { model_id: 'a' }, { model_id: 'b', priority: 99 }] });
    expect(filterCandidates(base({ config })).candidates.map((c) => c.id)).toEqual(['b', 'a']);
  });
});

describe('hasCapability', () => {
  it('accepts the usual spellings', () => {
    expect(hasCapability(['Function-Calling'], 'tools')).toBe(true);
    expect(hasCapability(['tool_use'], 'tools')).toBe(true);
    expect(hasCapability(['image input'], 'vision')).toBe(true);
    expect(hasCapability(['chat', 'json_mode'], 'tools')).toBe(false);
  });
});
