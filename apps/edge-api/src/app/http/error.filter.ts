import type { AppEnv } from '@aisbf/platform-config';
import { AppError } from '@aisbf/platform-errors';
import type { AppLogger } from '@aisbf/platform-observability';
import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { frameworkError, toHttpError } from './openai-errors';

export const REQUEST_ID_HEADER = 'x-aisbf-request-id';

/** Writes any error as an OpenAI-style JSON error with the status its code maps to. Edge-api is the only place that does. */
export function sendError(reply: FastifyReply, request: FastifyRequest, err: unknown, env: AppEnv, log: AppLogger): void {
  const appErr = frameworkError(err, env.http.bodyLimitBytes);
  if (appErr.code === 'INTERNAL') log.error({ err, url: request.url }, 'unhandled error');
  const { status, body, headers } = toHttpError(appErr);
  if (reply.sent || reply.raw.headersSent) {
    reply.raw.end();
    return;
  }
  const requestId = (request as FastifyRequest & { aisbfRequestId?: string }).aisbfRequestId;
  void reply
    .status(status)
    .headers({ ...headers, ...(requestId ? { [REQUEST_ID_HEADER]: requestId } : {}) })
    .type('application/json')
    .send(body);
}

@Catch()
export class OpenAIErrorFilter implements ExceptionFilter {
  constructor(
    private readonly env: AppEnv,
    private readonly log: AppLogger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendError(http.getResponse<FastifyReply>(), http.getRequest<FastifyRequest>(), exception instanceof AppError ? exception : exception, this.env, this.log);
  }
}
