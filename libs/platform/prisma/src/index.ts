export { PrismaService, driverUrl } from './prisma.service';
export { PrismaModule } from './prisma.module';
export { isUniqueViolation } from './prisma-errors';
export { Prisma } from './generated/client';
export type { UsageRecord, Tier, User, ApiToken, UserProvider, UserRotation, UserAutoselect } from './generated/client';
export type { UserRole, UserStatus, TokenScope } from './generated/enums';
