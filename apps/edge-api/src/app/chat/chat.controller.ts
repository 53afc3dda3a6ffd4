import type { Entrypoint, RouteMeta, Usage } from '@aisbf/contracts';
import type { AppEnv } from '@aisbf/platform-config';
import { AppError } from '@aisbf/platform-errors';
import type { AppLogger } from '@aisbf/platform-observability';
import { Body, Controller, HttpCode, Inject, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import { Access } from '../auth/access';
import { AuthGuard, type AuthedRequest } from '../auth/auth.guard';
import { REQUEST_ID_HEADER } from '../http/error.filter';
import { openAIErrorBody } from '../http/openai-errors';
import { QuotaService } from '../limits/quota.service';
import { ENV, LOGGER } from '../tokens';
import { ChatForwarder, type ForwardedChat, parseChatBody } from './chat-forwarder.service';
import { SSE_HEADERS, writeFrame } from './sse';

function routeHeaders(requestId: string, meta: RouteMeta): Record<string, string> {
  return {
    [REQUEST_ID_HEADER]: requestId,
    'x-aisbf-route': meta.route,
    'x-aisbf-provider': meta.providerId,
    'x-aisbf-model': meta.model,
    'x-aisbf-attempts': String(meta.attempts),
    ...(meta.decision ? { 'x-aisbf-decision': meta.decision } : {}),
    ...(meta.headers ?? {}),
  };
}

/**
 * OpenAI-compatible chat completions (`/v1` and `/api/v1`) and the original's scoped entry points. Thin: parse,
 * authenticate (guard), forward to the router, then write JSON or SSE.
 */
@Controller()
@UseGuards(AuthGuard)
export class ChatController {
  constructor(
    @Inject(ChatForwarder) private readonly forwarder: ChatForwarder,
    @Inject(ENV) private readonly env: AppEnv,
    @Inject(LOGGER) private readonly log: AppLogger,
    @Inject(QuotaService) private readonly quotas: QuotaService,
  ) {}

  @Post(['v1/chat/completions', 'api/v1/chat/completions'])
  @HttpCode(200)
  openai(@Req() req: AuthedRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<void> {
    return this.handle(req, reply, body, { kind: 'openai' });
  }

  @Post('api/rotations/chat/completions')
  rotations(@Req() req: AuthedRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<void> {
    return this.handle(req, reply, body, { kind: 'rotations' });
  }

  @Post(['api/autoselect/chat/completions', 'api/autoselections/chat/completions'])
  autoselect(@Req() req: AuthedRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<void> {
    return this.handle(req, reply, body, { kind: 'autoselect' });
  }

  /** The user comes from the token; `model` names the user's routes (admin users: global routes too). */
  @Post('api/user/chat/completions')
  @Access('user')
  userScoped(@Req() req: AuthedRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<void> {
    return this.handle(req, reply, body, { kind: 'user' });
  }

  /** The original's form: `{username}` must be the token's owner (403 otherwise). */
  @Post('api/u/:username/chat/completions')
  @Access('user-path')
  userPath(@Req() req: AuthedRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<void> {
    return this.handle(req, reply, body, { kind: 'user' });
  }

  @Post('api/:providerId/chat/completions')
  provider(@Req() req: AuthedRequest, @Res() reply: FastifyReply, @Body() body: unknown, @Param('providerId') providerId: string): Promise<void> {
    return this.handle(req, reply, body, { kind: 'provider', providerId });
  }

  private async handle(req: AuthedRequest, reply: FastifyReply, rawBody: unknown, entrypoint: Entrypoint): Promise<void> {
    const requestId = randomUUID();
    req.aisbfRequestId = requestId;
    const body = parseChatBody(rawBody);
    // User tokens: the tier's request and token quotas (429 naming the quota and when it resets).
    if (req.token) await this.quotas.admit(req.token.userId, req.token.tier);
    const res = reply.raw;
    let finished = false;
    // 'close' fires on completion too; only an early close means the client went away. The forwarder cancels the
    // request everywhere as soon as this aborts, including while it still waits for the router to commit.
    const gone = new AbortController();
    res.once('close', () => {
      if (!finished) gone.abort();
    });
    let chat: ForwardedChat;
    try {
      chat = await this.forwarder.forward(requestId, req.caller, entrypoint, body, gone.signal);
    } catch (err) {
      if (gone.signal.aborted) return; // nobody to answer
      throw err;
    }
    if (gone.signal.aborted) return chat.cancel('client disconnected');
    const headers = routeHeaders(requestId, chat.meta);

    if (body.stream !== true) {
      const next = await chat.events.next().catch((err: unknown) => {
        if (gone.signal.aborted) return undefined; // cancelled because the client left: nobody to answer
        throw err;
      });
      if (!next) return;
      if (next.done) throw new AppError('SERVICE_UNAVAILABLE', 'The router ended the request without a completion');
      if (next.value.type === 'error') throw AppError.fromEnvelope(next.value.error);
      if (next.value.type !== 'completion') throw new AppError('INTERNAL', `Unexpected router event '${next.value.type}'`);
      finished = true;
      this.countTokens(req, next.value.completion.usage);
      await reply.status(200).headers(headers).type('application/json').send(next.value.completion);
      return;
    }

    reply.hijack();
    res.writeHead(200, { ...SSE_HEADERS, ...headers });
    try {
      let ended = false;
      for await (const e of chat.events) {
        if (e.type === 'chunk') {
          await writeFrame(res, JSON.stringify(e.chunk));
        } else if (e.type === 'end') {
          this.countTokens(req, e.usage);
          await writeFrame(res, '[DONE]');
          ended = true;
          break;
        } else if (e.type === 'error') {
          // After commit the only honest ending is an in-band error event (never a silent, truncated success).
          await writeFrame(res, JSON.stringify(openAIErrorBody(e.error)));
          ended = true;
          break;
        }
      }
      if (!ended && !gone.signal.aborted) throw new AppError('STREAM_INTERRUPTED', 'The stream ended before the upstream finished');
    } catch (err) {
      if (!gone.signal.aborted) {
        const appErr = err instanceof AppError ? err : AppError.from(err);
        if (!(err instanceof AppError)) this.log.error({ err, requestId }, 'stream relay failed');
        await writeFrame(res, JSON.stringify(openAIErrorBody(appErr.toEnvelope()))).catch(() => undefined);
      }
    } finally {
      finished = true;
      res.end();
    }
  }

  /** Adds a finished request's tokens to the user's token quotas (off the response path). */
  private countTokens(req: AuthedRequest, usage: Usage | null | undefined): void {
    if (!req.token || !usage) return;
    const total = usage.total_tokens ?? usage.prompt_tokens + usage.completion_tokens;
    this.quotas.addTokens(req.token.userId, total).catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'could not count tokens for quotas'));
  }
}
