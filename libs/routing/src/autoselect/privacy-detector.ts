import type { ChatCompletionRequest } from '@aisbf/contracts';
import { requestTextSegments } from './request-text';
import { GENERIC_RULES, RULES, type PrivacyCategory, type PrivacyRuleInfo } from './privacy-rules';

export type { PrivacyCategory, PrivacyRuleInfo } from './privacy-rules';

/** Where a rule fired. Never the matched text: rule id, category, message index, offset and length only. */
export interface PrivacyFinding {
  rule: string;
  category: PrivacyCategory;
  /** Index in `request.messages`; -1 for request-level text (tool definitions). */
  messageIndex: number;
  location: { part: string; offset: number; length: number };
}

export interface PrivacyDetection {
  private: boolean;
  findings: PrivacyFinding[];
}

export interface DetectOptions {
  /** Stop collecting after this many findings (the verdict is already private). Default 50. */
  maxFindings?: number;
}

/** The rule catalogue (ids are stable: audits and the decision header refer to them). */
export const PRIVACY_RULES: readonly PrivacyRuleInfo[] = RULES.map(({ id, category, description }) => ({ id, category, description }));

/** Base64 payloads of data URLs are bytes, not text: blank them out (keeping offsets) before scanning. */
function maskDataUrls(text: string): string {
  if (!text.includes('data:')) return text;
  return text.replace(/(data:[a-z]+\/[a-z0-9.+-]+(?:;[a-z0-9-]+=[a-z0-9.-]+)*;base64,)([A-Za-z0-9+/=]+)/gi, (_m, head: string, body: string) => head + ' '.repeat(body.length));
}

const overlaps = (a: PrivacyFinding, b: PrivacyFinding) =>
  a.messageIndex === b.messageIndex &&
  a.location.part === b.location.part &&
  a.location.offset < b.location.offset + b.location.length &&
  b.location.offset < a.location.offset + a.location.length;

/**
 * The local privacy detector: no model, no IO. Scans all text the request would send (every message of every role,
 * earlier turns, tool results, tool-call arguments, text parts, non-data image URLs, tool definitions) for
 * credentials, personal data and customer-data markers. `private` is true when any rule fired.
 */
export function detectPrivateData(request: Pick<ChatCompletionRequest, 'messages' | 'tools'>, options: DetectOptions = {}): PrivacyDetection {
  const max = options.maxFindings ?? 50;
  const findings: PrivacyFinding[] = [];
  outer: for (const seg of requestTextSegments(request)) {
    const text = maskDataUrls(seg.text);
    const local: PrivacyFinding[] = [];
    for (const rule of RULES) {
      // Enough spans per rule for the verdict and the audit; also keeps the overlap checks below small.
      for (const span of rule.scan(text).slice(0, max)) {
        const f: PrivacyFinding = { rule: rule.id, category: rule.category, messageIndex: seg.messageIndex, location: { part: seg.part, ...span } };
        if (!local.some((o) => o.rule === f.rule && overlaps(o, f))) local.push(f);
      }
    }
    // A generic rule (password/bearer/key=value/phone) adds nothing where a specific rule already covers the text.
    const kept = local.filter((f) => !GENERIC_RULES.has(f.rule) || !local.some((o) => !GENERIC_RULES.has(o.rule) && overlaps(o, f)));
    for (const f of kept) {
      findings.push(f);
      if (findings.length >= max) break outer;
    }
  }
  return { private: findings.length > 0, findings };
}

/** Distinct rule ids of a detection, in first-seen order (for audits and headers). */
export function firedRules(detection: PrivacyDetection): string[] {
  return [...new Set(detection.findings.map((f) => f.rule))];
}
