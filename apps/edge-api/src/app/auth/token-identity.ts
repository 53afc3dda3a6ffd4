import type { TokenScopeName } from '@aisbf/contracts';

/** A tier's limits, as numbers (null = unlimited). */
export interface TierLimits {
  id: number;
  name: string;
  requestsPerDay: number | null;
  requestsPerMonth: number | null;
  tokensPerDay: number | null;
  tokensPerMonth: number | null;
  requestsPerMinute: number | null;
}

/** What edge-api knows about a user token once looked up (cached per token hash; never the token itself). */
export interface TokenIdentity {
  tokenId: number;
  userId: number;
  username: string;
  role: 'admin' | 'user';
  userStatus: 'active' | 'disabled';
  scope: TokenScopeName;
  expiresAt: number | null;
  revoked: boolean;
  tier: TierLimits | null;
}
