import { AppError } from '@aisbf/platform-errors';
import type { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';

/** `messages[0].role`, `providers[1].api_key`, or `body` for the top level. */
export function issuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.length ? path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : 'body';
}

/** One line per problem, each naming the field (unknown keys by name). */
export function describeIssues(error: z.ZodError, max = 10): Array<{ path: string; message: string }> {
  return error.issues.slice(0, max).map((issue) => {
    const path = issuePath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => `"${k}"`).join(', ');
      return { path: path === 'body' ? issue.keys[0]! : path, message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${keys}` };
    }
    return { path, message: issue.message };
  });
}

/** Parse with a schema or throw INVALID_REQUEST naming every bad field (`param` = the first one). */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AppError('INVALID_REQUEST', `Invalid ${what}: the body must be a JSON object`, { retryable: false, param: 'body' });
  }
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const problems = describeIssues(r.error);
  throw new AppError('INVALID_REQUEST', `Invalid ${what}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, {
    retryable: false,
    param: problems[0]?.path ?? null,
  });
}

/** `@Body(new ZodBody(Schema, 'user'))`: the handler receives the parsed body. */
export class ZodBody<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    private readonly schema: S,
    private readonly what: string,
  ) {}

  transform(value: unknown): z.infer<S> {
    return parseBody(this.schema, value, this.what);
  }
}
