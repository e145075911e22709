import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { AgentProfile } from '../../lib/contract/models';
import { HttpError } from '../errors';

/** How many invitations may be made (each may send an e-mail through Supabase Auth). */
export interface InviteLimits {
  perAdminPerHour: number;
  perOrganisationPerDay: number;
  /** To one address, by one organisation. */
  perAddressPerDay: number;
}

/**
 * Invitations are throttled per admin, per organisation and per address, in budgets every server
 * instance shares (PostgreSQL, `rate_limits`): an invitation may e-mail someone through the
 * project's Supabase Auth, whose e-mail quota is small and whose mail must not become a way to
 * bomb an inbox. The address's budget is kept per organisation: a budget shared across
 * organisations would tell one that another had invited the address.
 */
export function inviteLimits(db: pg.Pool, limits: InviteLimits) {
  const limiter = (keyPrefix: string, points: number, duration: number) =>
    new RateLimiterPostgres({ storeClient: db, tableName: 'rate_limits', tableCreated: true, keyPrefix, points, duration });
  const budgets = [
    {
      limiter: limiter('invites-admin', limits.perAdminPerHour, 3600),
      key: (a: AgentProfile) => a.id,
      what: `you can invite ${limits.perAdminPerHour} people an hour`,
    },
    {
      limiter: limiter('invites-org', limits.perOrganisationPerDay, 86_400),
      key: (a: AgentProfile) => a.organisationId,
      what: `your organisation can invite ${limits.perOrganisationPerDay} people a day`,
    },
    {
      limiter: limiter('invites-address', limits.perAddressPerDay, 86_400),
      // The address hashed: the table's keys are varchar(255), and an address may be 254 characters.
      key: (a: AgentProfile, email: string) => `${a.organisationId}:${createHash('sha256').update(email.toLowerCase()).digest('hex')}`,
      what: `one address can be invited ${limits.perAddressPerDay} times a day`,
    },
  ];
  /** Takes one invitation from each budget, or answers 429 with Retry-After and which budget is spent. */
  return async (admin: AgentProfile, email: string, reply: FastifyReply): Promise<void> => {
    for (const b of budgets) {
      try {
        await b.limiter.consume(b.key(admin, email));
      } catch (res) {
        if (!(res instanceof RateLimiterRes)) throw res;
        const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
        reply.header('retry-after', String(seconds));
        throw new HttpError(429, 'too_many_invites', `Too many invitations: ${b.what}. Try again in ${Math.ceil(seconds / 60)} minutes.`);
      }
    }
  };
}
