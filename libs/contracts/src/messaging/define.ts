import type { z } from 'zod';

/** A request/reply (or request/stream) message: the subject and the schemas of both directions, as one value. */
export interface RequestContract<Req extends z.ZodType = z.ZodType, Rep extends z.ZodType = z.ZodType> {
  readonly kind: 'request';
  /** Versioned subject, without the deployment prefix (the messaging lib adds `AISBF_NATS_PREFIX`). */
  readonly subject: string;
  readonly request: Req;
  /** Schema of each reply message (a stream reply is several of them). */
  readonly reply: Rep;
}

/** A broadcast notification: every replica of every subscriber gets it. */
export interface EventContract<S extends z.ZodType = z.ZodType> {
  readonly kind: 'event';
  readonly subject: string;
  readonly schema: S;
}

/** A durable BullMQ job: the queue, the job name and the payload schema. */
export interface JobContract<S extends z.ZodType = z.ZodType> {
  readonly kind: 'job';
  readonly queue: string;
  readonly name: string;
  readonly schema: S;
}

export const defineRequest = <Req extends z.ZodType, Rep extends z.ZodType>(
  subject: string,
  request: Req,
  reply: Rep,
): RequestContract<Req, Rep> => ({ kind: 'request', subject, request, reply });

export const defineEvent = <S extends z.ZodType>(subject: string, schema: S): EventContract<S> => ({
  kind: 'event',
  subject,
  schema,
});

export const defineJob = <S extends z.ZodType>(queue: string, name: string, schema: S): JobContract<S> => ({
  kind: 'job',
  queue,
  name,
  schema,
});

export type RequestOf<C> = C extends RequestContract<infer Req, z.ZodType> ? z.infer<Req> : never;
export type ReplyOf<C> = C extends RequestContract<z.ZodType, infer Rep> ? z.infer<Rep> : never;
export type EventOf<C> = C extends EventContract<infer S> ? z.infer<S> : never;
export type JobOf<C> = C extends JobContract<infer S> ? z.infer<S> : never;
