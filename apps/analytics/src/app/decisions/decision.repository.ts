import type { RouteDecisionRecord } from '@aisbf/contracts';
import { PrismaService } from '@aisbf/platform-prisma';
import { Inject, Injectable } from '@nestjs/common';

@Injectable()
export class DecisionRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}

  /** Insert once per request id; a replayed job is a no-op (idempotent). Returns whether a row was written. */
  async insertOnce(r: RouteDecisionRecord): Promise<boolean> {
    const { count } = await this.prisma.routeDecision.createMany({
      data: [
        {
          requestId: r.requestId,
          caller: r.caller,
          userId: r.userId,
          autoselect: r.autoselect,
          outcome: r.outcome,
          privacy: r.privacy,
          privacyRules: r.privacyRules,
          privacyClassifier: r.privacyClassifier,
          failClosed: r.failClosed,
          nsfw: r.nsfw,
          candidates: r.candidates,
          selectionRoute: r.selection.route,
          selectionVia: r.selection.via,
          selectionAnswer: r.selection.answer,
          selectionCached: r.selection.cached,
          selectionReason: r.selection.reason ?? null,
          routeChosen: r.routeChosen,
          routeOrder: r.order,
          routeTaken: r.routeTaken,
          escalation: r.escalation,
          errorCode: r.errorCode,
          decisionMs: r.decisionMs,
          header: r.header,
          notes: r.notes,
          createdAt: new Date(r.createdAt),
        },
      ],
      skipDuplicates: true,
    });
    return count === 1;
  }
}
