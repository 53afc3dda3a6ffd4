import { DecisionQuerySchema, type DecisionQuery, type RouteDecisionView } from '@aisbf/contracts';
import { AppError } from '@aisbf/platform-errors';
import type { AppLogger } from '@aisbf/platform-observability';
import { PrismaService } from '@aisbf/platform-prisma';
import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import { Access } from '../auth/access';
import { AuthGuard } from '../auth/auth.guard';
import { describeIssues } from '../http/validation';
import { LOGGER } from '../tokens';

type Row = Awaited<ReturnType<PrismaService['routeDecision']['findMany']>>[number];

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function view(r: Row): RouteDecisionView {
  const selection: RouteDecisionView['selection'] = {
    route: r.selectionRoute,
    via: r.selectionVia,
    answer: r.selectionAnswer,
    cached: r.selectionCached,
    ...(r.selectionReason ? { reason: r.selectionReason } : {}),
  };
  return {
    id: Number(r.id),
    requestId: r.requestId,
    caller: r.caller,
    userId: r.userId,
    autoselect: r.autoselect,
    outcome: r.outcome as RouteDecisionView['outcome'],
    privacy: r.privacy as RouteDecisionView['privacy'],
    privacyRules: strings(r.privacyRules),
    privacyClassifier: r.privacyClassifier,
    failClosed: r.failClosed,
    nsfw: r.nsfw as RouteDecisionView['nsfw'],
    candidates: r.candidates as RouteDecisionView['candidates'],
    selection,
    routeChosen: r.routeChosen,
    order: strings(r.routeOrder),
    routeTaken: r.routeTaken,
    escalation: (Array.isArray(r.escalation) ? r.escalation : []) as RouteDecisionView['escalation'],
    errorCode: r.errorCode,
    decisionMs: r.decisionMs,
    header: r.header,
    notes: strings(r.notes),
    created_at: r.createdAt.toISOString(),
  };
}

/**
 * `GET /api/admin/decisions`: recent autoselect decisions, newest first, for debugging route choices (what the
 * detector and classifiers said, which candidates each filter left, what the selection model answered, which route
 * served). Rule ids and route ids only: the audit never holds request text.
 */
@Controller('api/admin/decisions')
@UseGuards(AuthGuard)
@Access('admin')
export class AdminDecisionsController {
  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(LOGGER) private readonly log: AppLogger,
  ) {}

  @Get()
  async list(@Query() raw: Record<string, unknown>) {
    const parsed = DecisionQuerySchema.safeParse(raw ?? {});
    if (!parsed.success) {
      const problems = describeIssues(parsed.error);
      throw new AppError('INVALID_REQUEST', `Invalid query: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, { retryable: false, param: problems[0]?.path ?? null });
    }
    const q: DecisionQuery = parsed.data;
    const autoselect = q.autoselect
      ? /^(user-)?autoselect\//.test(q.autoselect)
        ? { autoselect: q.autoselect }
        : { autoselect: { in: [`autoselect/${q.autoselect}`, `user-autoselect/${q.autoselect}`] } }
      : {};
    try {
      const rows = await this.prisma.routeDecision.findMany({
        where: { ...autoselect, ...(q.caller ? { caller: q.caller } : {}) },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: q.limit,
      });
      return { data: rows.map(view) };
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not read route decisions');
      throw new AppError('SERVICE_UNAVAILABLE', 'Route decisions cannot be read right now (database unavailable); retry shortly.');
    }
  }
}
