import type { z } from 'zod';

/** `models[0].name`, `coderai_config.registration_token`; '' for the top level. */
export function issuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
}

/**
 * The problems of a failed parse, each as the field it concerns and a message (unknown keys are named), so every
 * place that reports a config or body problem names the field the same way.
 */
export function describeIssues(error: z.ZodError, max = 10): Array<{ path: string; message: string; unknownKeys?: string[] }> {
  return error.issues.slice(0, max).map((issue) =>
    issue.code === 'unrecognized_keys'
      ? { path: issuePath(issue.path), message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`, unknownKeys: issue.keys }
      : { path: issuePath(issue.path), message: issue.message },
  );
}
