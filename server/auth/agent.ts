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

/** Takes one request from an agent's budget, or answers 429 with Retry-After. */
export type AgentRequestLimit = (agentId: string, reply: FastifyReply) => Promise<void>;

/**
 * The agents' request budget (per instance): every API call of an agent takes from it, and so does
 * an upload made with the agent's ticket. `REQUESTS_PER_AGENT` (120 by default) is far above what
 * the extension sends (nothing while healthy), low enough that a runaway client cannot hog the
 * database.
 */
export function agentRequestLimit(points: number): AgentRequestLimit {
  const limiter = new RateLimiterMemory({ points, duration: 10 });
  return async (agentId, reply) => {
    try {
      await limiter.consume(agentId);
    } catch (res) {
      reply.header('retry-after', String(Math.max(1, Math.ceil((res as RateLimiterRes).msBeforeNext / 1000))));
      throw new HttpError(429, 'rate_limited', `too many requests: at most ${points} every 10 seconds`);
    }
  };
}

/**
 * The API's one authentication step (an `onRequest` hook, so nothing of a body is read first): a valid Supabase JWT of a signed-in user who
 * is an agent, re-read from the database on every request (a removed agent is refused at once),
 * then the agent's request budget (per instance). Sets `req.agent`.
 */
export function authenticateAgent(deps: { db: pg.Pool; verify: TokenVerifier; limit?: AgentRequestLimit }) {
  const limit = deps.limit ?? agentRequestLimit(120);
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
    await limit(agent.id, reply);
  };
}

/** A route's preHandler after `authenticateAgent`: only an admin of the organisation may go on (403 `admin_only`). */
export const adminOnly = async (req: FastifyRequest) => {
  if (req.agent.role !== 'admin') throw new HttpError(403, 'admin_only', 'Only an admin of this organisation can do this.');
};

/** A route's preHandler after `authenticateAgent`: only an admin or a lead may see reports (403 `reports_only`). */
export const reportsAccess = async (req: FastifyRequest) => {
  if (req.agent.role !== 'admin' && req.agent.role !== 'lead')
    throw new HttpError(403, 'reports_only', 'Only a lead or an admin of this organisation can see reports.');
};
