/**
 * Runs the local privacy detector over the labelled prompt set and prints what it gets right and wrong.
 *
 *   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register libs/routing/src/autoselect/privacy-eval.ts
 */
import { detectPrivateData, firedRules } from './privacy-detector';
import { LABELLED_PROMPTS, type LabelledPrompt } from './privacy-prompts.fixture';

export interface PrivacyEvaluation {
  privateTotal: number;
  privateDetected: number;
  privateMissed: number;
  ordinaryTotal: number;
  ordinaryPassed: number;
  falseAlarms: number;
  misses: Array<{ id: string; about: string }>;
  alarms: Array<{ id: string; about: string; rules: string[] }>;
}

export function evaluatePrivacyDetector(prompts: readonly LabelledPrompt[] = LABELLED_PROMPTS): PrivacyEvaluation {
  const e: PrivacyEvaluation = { privateTotal: 0, privateDetected: 0, privateMissed: 0, ordinaryTotal: 0, ordinaryPassed: 0, falseAlarms: 0, misses: [], alarms: [] };
  for (const p of prompts) {
    const d = detectPrivateData(p.request);
    if (p.label === 'private') {
      e.privateTotal++;
      if (d.private) e.privateDetected++;
      else {
        e.privateMissed++;
        e.misses.push({ id: p.id, about: p.about });
      }
    } else {
      e.ordinaryTotal++;
      if (!d.private) e.ordinaryPassed++;
      else {
        e.falseAlarms++;
        e.alarms.push({ id: p.id, about: p.about, rules: firedRules(d) });
      }
    }
  }
  return e;
}

function report(title: string, e: PrivacyEvaluation): void {
  const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : '-');
  console.log(`${title}: ${e.privateTotal + e.ordinaryTotal} prompts (${e.privateTotal} private, ${e.ordinaryTotal} ordinary)`);
  console.log(`  private  detected ${e.privateDetected}/${e.privateTotal} (${pct(e.privateDetected, e.privateTotal)}), missed ${e.privateMissed}`);
  console.log(`  ordinary passed   ${e.ordinaryPassed}/${e.ordinaryTotal} (${pct(e.ordinaryPassed, e.ordinaryTotal)}), false alarms ${e.falseAlarms}`);
  for (const m of e.misses) console.log(`    missed       ${m.id}  ${m.about}`);
  for (const a of e.alarms) console.log(`    false alarm  ${a.id}  ${a.about}  [${a.rules.join(', ')}]`);
}

if (require.main === module) {
  report('all', evaluatePrivacyDetector());
  report('tuning set', evaluatePrivacyDetector(LABELLED_PROMPTS.filter((p) => p.set === 'tuning')));
  report('holdout 1 (tuned on after it was measured at 12/18 and 18/18)', evaluatePrivacyDetector(LABELLED_PROMPTS.filter((p) => p.set === 'holdout-1')));
  report('holdout 2 (never tuned on)', evaluatePrivacyDetector(LABELLED_PROMPTS.filter((p) => p.set === 'holdout-2')));
}
