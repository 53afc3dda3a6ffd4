import type { AutoselectRefusal, FallbackStatus, FilterStage, NsfwAssessment, PrivacyAssessment } from './candidate-filter';
import type { RequestNeeds } from './request-text';
import type { Selection } from './selection';

/**
 * One autoselect decision, as stored for audit (route decisions table) and listed by the admin endpoint. It holds rule
 * ids, candidate ids and route ids — never the request's text, the matched secrets or the selection model's raw answer.
 */
export interface AutoselectAudit {
  requestId?: string;
  /** The caller's label (`global:<n>`, `user:<name>`), never a token. */
  caller?: string;
  autoselectId: string;
  /** ISO time the decision started. */
  at: string;
  privacy: PrivacyAssessment;
  nsfw: NsfwAssessment;
  needs: RequestNeeds;
  /** Candidate ids as configured (best first), then what each filter left. */
  configured: string[];
  stages: FilterStage[];
  fallback: FallbackStatus;
  selection: {
    /** The selection model route, when one was asked (or would have been, but may not see a private request). */
    route: string | null;
    via: Selection['via'] | 'refused';
    answer: string | null;
    cached: boolean;
    reason?: string;
  };
  /** The route taken first, and the escalation order after it; null / empty when refused. */
  route: string | null;
  order: string[];
  refusal?: Pick<AutoselectRefusal, 'code' | 'reason'>;
  /** Decision latency (classification not included unless the caller measured from before it). */
  latencyMs: number;
  /** Notes from classification (e.g. a classifier route that was not consulted and why). */
  notes?: string[];
}

const headerSafe = (s: string) => s.replace(/[^\x21-\x7e]|[;,=()]/g, '_');

function privacySummary(p: PrivacyAssessment): string {
  if (p.verdict !== 'private') return p.verdict;
  const why = [...p.rules.slice(0, 4), ...(p.rules.length > 4 ? [`+${p.rules.length - 4}`] : [])];
  if (p.classifier === 'private') why.push('classifier');
  if (p.classifier === 'failed' || p.classifier === 'timeout') why.push(`classifier:${p.classifier}`);
  return `private(${why.join(',')})`;
}

/**
 * The `x-aisbf-decision` header: e.g.
 * `privacy=private(secret.aws_key);nsfw=off;candidates=2;selected=user-rotation/coding;via=semantic`.
 */
export function decisionHeader(a: AutoselectAudit): string {
  const remaining = a.stages.length ? a.stages[a.stages.length - 1]!.remaining.length : a.configured.length;
  const via = a.refusal ? `refused(${a.refusal.code})` : a.selection.via + (a.selection.cached ? '-cached' : '');
  return [
    `privacy=${privacySummary(a.privacy)}`,
    `nsfw=${a.nsfw.verdict}`,
    `candidates=${remaining}`,
    `selected=${a.route ? headerSafe(a.route) : 'none'}`,
    `via=${via}`,
  ].join(';');
}
