import { evaluatePrivacyDetector } from './privacy-eval';
import { LABELLED_PROMPTS } from './privacy-prompts.fixture';

/**
 * The detector's measured results on the labelled set. Known misses and false alarms are listed by id: a new miss or
 * a new false alarm fails (a regression); fixing one fails too, so the list and the reported numbers get updated.
 */
const KNOWN_MISSES = ['p50', 'p51', 'h2p03'];
const KNOWN_FALSE_ALARMS = ['o16'];

describe('privacy detector on the labelled prompt set', () => {
  it('is a balanced set of at least 120 prompts with unique ids', () => {
    expect(LABELLED_PROMPTS.length).toBeGreaterThanOrEqual(120);
    const priv = LABELLED_PROMPTS.filter((p) => p.label === 'private').length;
    expect(Math.abs(priv - (LABELLED_PROMPTS.length - priv))).toBeLessThanOrEqual(LABELLED_PROMPTS.length * 0.1);
    expect(new Set(LABELLED_PROMPTS.map((p) => p.id)).size).toBe(LABELLED_PROMPTS.length);
  });

  it('misses and false-alarms exactly the known prompts', () => {
    const e = evaluatePrivacyDetector();
    expect(e.misses.map((m) => m.id).sort()).toEqual([...KNOWN_MISSES].sort());
    expect(e.alarms.map((a) => a.id).sort()).toEqual([...KNOWN_FALSE_ALARMS].sort());
    expect(e.privateMissed).toBeLessThanOrEqual(KNOWN_MISSES.length);
    expect(e.falseAlarms).toBeLessThanOrEqual(KNOWN_FALSE_ALARMS.length);
  });

  it('holds its numbers on the untuned holdout set', () => {
    const e = evaluatePrivacyDetector(LABELLED_PROMPTS.filter((p) => p.set === 'holdout-2'));
    expect({ detected: e.privateDetected, of: e.privateTotal, passed: e.ordinaryPassed, ofOrdinary: e.ordinaryTotal }).toEqual({ detected: 11, of: 12, passed: 12, ofOrdinary: 12 });
  });
});
