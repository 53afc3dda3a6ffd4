export { PrismaService, driverUrl } from './prisma.service';
export { PrismaModule } from './prisma.module';
export { Prisma } from './generated/client';
export type { UsageRecord } from './generated/client';
