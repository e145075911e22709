import type { FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';
import type { AgentProfile } from '../../lib/contract/models';
import { HttpError } from '../errors';
import { findAgent } from '../inbox/repository';
import { InvalidTokenError, type TokenVerifier } from './jwt';

declare module 'fastify' {
  interface FastifyRequest {
    agent: AgentProfile;
  }
}

/** Far above what the extension sends (nothing while healthy), low enough that a runaway client cannot hog the database. */
export const REQUESTS_PER_AGENT = 120;

/**
 * The API's one authentication step (a `preHandler`): a valid Supabase JWT of a signed-in user who
 * is an agent, re-read from the database on every request (a removed agent is refused at once),
 * then the agent's request budget (per instance). Sets `req.agent`.
 */
export function authenticateAgent(deps: { db: pg.Pool; verify: TokenVerifier }) {
  const limiter = new RateLimiterMemory({ points: REQUESTS_PER_AGENT, duration: 10 });
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Bearer ')) throw new HttpError(401, 'unauthorized', 'missing Bearer token');
    let claims;
    try {
      claims = await deps.verify(header.slice(7));
    } catch (err) {
      if (err instanceof InvalidTokenError) throw new HttpError(401, 'unauthorized', err.message);
      throw err;
    }
    if (claims.role !== 'authenticated' || !claims.sub) throw new HttpError(403, 'forbidden', 'not a signed-in user token');
    const agent = await findAgent(deps.db, claims.sub);
    if (!agent) throw new HttpError(403, 'forbidden', 'this user is not an agent of any organisation');
    req.agent = agent;
    try {
      await limiter.consume(agent.id);
    } catch (res) {
      reply.header('retry-after', String(Math.max(1, Math.ceil((res as RateLimiterRes).msBeforeNext / 1000))));
      throw new HttpError(429, 'rate_limited', `too many requests: at most ${REQUESTS_PER_AGENT} every 10 seconds`);
    }
  };
}

/** A route's preHandler after `authenticateAgent`: only an admin of the organisation may go on (403 `admin_only`). */
export const adminOnly = async (req: FastifyRequest) => {
  if (req.agent.role !== 'admin') throw new HttpError(403, 'admin_only', 'Only an admin of this organisation can do this.');
};
