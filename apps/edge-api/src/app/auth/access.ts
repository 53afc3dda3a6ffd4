import { SetMetadata } from '@nestjs/common';

/**
 * Who may call an endpoint (checked by AuthGuard after authentication):
 * - `any`: a global token, any user token (the router limits ordinary users to their own routes), or anyone when
 *   auth is disabled;
 * - `admin`: a global token or an admin user's token (`/api/admin/...`);
 * - `user`: a user token (`/api/user/...`), the user comes from the token;
 * - `user-path`: a user token whose owner is the `:username` of the path (`/api/u/{username}/...`).
 */
export type AccessPolicy = 'any' | 'admin' | 'user' | 'user-path';

export const ACCESS_KEY = 'aisbf:access';
export const Access = (policy: AccessPolicy) => SetMetadata(ACCESS_KEY, policy);
