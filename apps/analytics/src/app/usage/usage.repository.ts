import type { UsageRecordJob } from '@aisbf/contracts';
import { PrismaService } from '@aisbf/platform-prisma';
import { Inject, Injectable } from '@nestjs/common';

@Injectable()
export class UsageRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}

  /** Insert once per request id; a replayed job is a no-op (idempotent). Returns whether a row was written. */
  async insertOnce(r: UsageRecordJob): Promise<boolean> {
    const { count } = await this.prisma.usageRecord.createMany({
      data: [{ ...r, createdAt: new Date(r.createdAt) }],
      skipDuplicates: true,
    });
    return count === 1;
  }
}
