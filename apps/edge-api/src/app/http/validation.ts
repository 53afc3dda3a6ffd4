import { describeIssues as describeIssuesOf } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import type { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';

/** Each problem naming its field: `body` for the top level, an unknown top-level key by its name. */
export function describeIssues(error: z.ZodError, max = 10): Array<{ path: string; message: string }> {
  return describeIssuesOf(error, max).map(({ path, message, unknownKeys }) => ({ path: path || unknownKeys?.[0] || 'body', message }));
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
