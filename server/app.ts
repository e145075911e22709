import cors from '@fastify/cors';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { createClient, type RedisClientType } from 'redis';
import { z } from 'zod';
import { describeIssues, guard, HttpError } from './validation';
import { isDatabaseUnavailable } from './db/unavailable';
import type { MarkReadResponse, MessagesPage, StartConversationResponse, SyncResponse } from '../lib/contract/api';
import type { AgentProfile } from '../lib/contract/models';
import { secretEquals } from './auth/compare';
import { InvalidTokenError, type TokenVerifier } from './auth/jwt';
import { originAllowed } from './http/origins';
import type { ServerConfig } from './config';
import { BadCursorError, findAgent, markRead, messagesPage, startConversation, sync } from './inbox/repository';
import { createCursorSigner } from './inbox/cursor';
import { registerInboxRoutes } from './inbox/routes';
import { registerMediaRoutes } from './media/routes';
import { resolveWithDns, type ResolveHost } from './media/public-url';
import { registerReplyRoutes } from './outbound/routes';
import { createSender, type Sender } from './outbound/sender';
import { createTwilioClient } from './outbound/twilio-client';
import type { Logger } from './logger';
import { countRequests, type RequestCounter } from './metrics';
import { agentRoom, attachSocketIo, orgRoom, type SwitchboardIo } from './realtime/socket-io';
import { registerTwilioWebhooks } from './webhooks/twilio';

export interface AppDeps {
  config: ServerConfig;
  db: pg.Pool;
  verify: TokenVerifier;
  log: Logger;
  /** How agents' file hosts are resolved (DNS by default; tests have no public DNS). */
  resolveHost?: ResolveHost;
}

export interface App {
  http: FastifyInstance;
  io: SwitchboardIo;
  requests: RequestCounter;
  /** The outbox sender of this instance. */
  sender: Sender;
}

declare module 'fastify' {
  interface FastifyRequest {
    agent: AgentProfile;
  }
}

const uuid = z.uuid();
const REQUESTS_PER_AGENT = 120;
const startBody = z.object({
  phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'phone must be an E.164 number such as +14155550134'),
});
const messagesQuery = z.object({
  before: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** Builds the HTTP API and Socket.IO server from its dependencies; `main.ts` boots it. */
export async function createApp(deps: AppDeps): Promise<App> {
  const http = Fastify({ loggerInstance: deps.log.child({ name: 'http' }) as FastifyBaseLogger, bodyLimit: 256 * 1024, trustProxy: deps.config.trustProxy });
  const cluster = deps.config.redisUrl ? await connectRedis(deps.config.redisUrl, deps.log) : null;
  const io = attachSocketIo(http.server, { ...deps, origins: deps.config.origins, limits: deps.config.limits, trustProxy: deps.config.trustProxy, agentRecheckMs: deps.config.agentRecheckMs, cluster: cluster ? { ...cluster, sweepMs: deps.config.presenceSweepMs } : undefined });
  const requests = countRequests(http);
  // Derived from the Twilio auth token, which every instance shares: rotating it makes each agent resync once.
  const cursors = createCursorSigner(deps.config.twilio.authToken);

  // Browsers: only the extension (and configured origins) may call the API; a CRM page may not.
  await http.register(cors, { origin: (origin, cb) => cb(null, originAllowed(origin, deps.config.origins)), exposedHeaders: [] });
  http.addHook('onRequest', async (req, reply) => {
    if (!originAllowed(req.headers.origin, deps.config.origins)) {
      return reply.code(403).send({ error: 'forbidden_origin', message: `requests from ${req.headers.origin} are not accepted` });
    }
  });
  await http.register(formbody);

  http.setErrorHandler((err, req, reply) => {
    if (err instanceof HttpError) return reply.code(err.statusCode).send({ error: err.code, message: err.message });
    if (isDatabaseUnavailable(err)) {
      // Twilio and the extension retry a 503; nothing was half-written (every write is one transaction).
      req.log.warn({ err: (err as Error).message }, 'database unavailable');
      return reply.code(503).header('retry-after', '1').send({ error: 'unavailable', message: 'The database is unavailable; try again shortly' });
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      return reply.code(status).send({ error: (err as { code?: string }).code ?? 'bad_request', message: (err as Error).message });
    }
    req.log.error({ err }, 'request failed');
    // Never leak internals in a 5xx.
    return reply.code(500).send({ error: 'internal', message: 'Internal server error' });
  });

  await registerTwilioWebhooks(http, {
    db: deps.db,
    publicUrl: () => deps.config.publicUrl,
    twilio: deps.config.twilio,
    twilioApiBaseUrl: twilioApiBase(deps.config),
    bodyLimit: deps.config.webhookBodyLimit,
    onStored: ({ organisationId, message, conversation }) => io.to(orgRoom(organisationId)).emit('message:new', { message, conversation }),
    onStatus: (organisationId, message) => io.to(orgRoom(organisationId)).emit('message:status', { message }),
  });
  const twilioClient = createTwilioClient(deps.config.twilio, deps.config.twilioApiBaseUrl);
  // Replies go out through the outbox; a stopped server's unsent replies go out when it starts.
  const sender = createSender({
    db: deps.db,
    twilio: twilioClient,
    statusCallbackUrl: (id) => `${deps.config.publicUrl}/api/webhooks/twilio/status?message=${id}`,
    log: deps.log.child({ name: 'outbox' }),
    onStatus: (organisationId, message) => io.to(orgRoom(organisationId)).emit('message:status', { message }),
  });

  // Operators only (a bearer token): how busy this instance is. No data, no identities.
  const operator = async (req: FastifyRequest) => {
    const token = deps.config.operatorToken;
    if (!token) throw new HttpError(404, 'not_found', 'operator routes are off: set OPERATOR_TOKEN');
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Bearer ') || !secretEquals(header.slice(7), token)) throw new HttpError(401, 'unauthorized', 'operator token required');
  };
  http.get('/api/socket', { preHandler: operator }, async () => ({ status: 'up', connections: io.engine.clientsCount, path: '/socket.io' }));
  http.get('/api/metrics', { preHandler: operator }, async () => ({ requests: requests.byRoute(), sockets: io.engine.clientsCount }));
  http.get('/api/health', async () => {
    await deps.db.query('select 1');
    return { status: 'ok' };
  });

  // Per agent, per instance: far above what the extension sends (nothing while healthy), low enough
  // that a runaway or hostile client cannot hog the database.
  const limiter = new RateLimiterMemory({ points: REQUESTS_PER_AGENT, duration: 10 });
  const authenticate = async (req: FastifyRequest, reply: FastifyReply) => {
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

  await http.register(async (api) => {
    api.addHook('preHandler', authenticate);

    api.get('/api/me', async (req) => req.agent);

    api.get('/api/sync', async (req): Promise<SyncResponse> => {
      const given = (req.query as { cursor?: string }).cursor;
      const snapshot = given ? cursors.open(req.agent, given) : null;
      if (given && snapshot === null) throw new HttpError(400, 'bad_cursor', 'cursor is not one this server issued to this agent');
      try {
        const answer = await sync(deps.db, req.agent, snapshot);
        return { ...answer, cursor: cursors.sign(req.agent, answer.cursor) };
      } catch (err) {
        if (err instanceof BadCursorError || (err as { code?: string }).code === '22P02') {
          throw new HttpError(400, 'bad_cursor', 'cursor is not one this server issued');
        }
        throw err;
      }
    });

    api.get('/api/conversations/:id/messages', async (req): Promise<MessagesPage> => {
      const id = conversationIdOf(req);
      const q = messagesQuery.safeParse(req.query);
      if (!q.success) throw new HttpError(400, 'bad_request', describeIssues(q.error));
      return guard(() => messagesPage(deps.db, req.agent, id, q.data.before ?? null, q.data.limit));
    });

    registerReplyRoutes(api, {
      db: deps.db,
      twilio: twilioClient,
      resolveHost: deps.resolveHost ?? resolveWithDns,
      sender,
      conversationIdOf,
      announce: (organisationId, message, conversation) => io.to(orgRoom(organisationId)).emit('message:new', { message, conversation }),
    });

    registerMediaRoutes(api, {
      db: deps.db,
      source: { apiBaseUrl: twilioApiBase(deps.config), ...deps.config.twilio },
      maxBytes: deps.config.mediaMaxBytes,
      conversationIdOf,
    });

    registerInboxRoutes(api, {
      db: deps.db,
      conversationIdOf,
      conversationChanged: (organisationId, conversation) => io.to(orgRoom(organisationId)).emit('conversation:updated', { conversation }),
      announce: (organisationId, message, conversation) => io.to(orgRoom(organisationId)).emit('message:new', { message, conversation }),
    });

    // Start (or find) the conversation with a phone number, e.g. from a number on a CRM page.
    api.post('/api/conversations', async (req, reply): Promise<StartConversationResponse> => {
      const input = startBody.safeParse(req.body);
      if (!input.success) throw new HttpError(400, 'bad_request', describeIssues(input.error));
      const { created, conversation } = await guard(() => startConversation(deps.db, req.agent, input.data.phone));
      reply.code(created ? 201 : 200);
      return { conversation: { ...conversation, lastReadAt: null, readInboundCount: 0, unreadCount: 0 } };
    });

    api.post('/api/conversations/:id/read', async (req): Promise<MarkReadResponse> => {
      const readState = await guard(() => markRead(deps.db, req.agent, conversationIdOf(req)));
      // The agent's other devices clear their unread count too.
      io.to(agentRoom(req.agent.id)).emit('conversation:read', readState);
      return { readState };
    });
  });

  const demoPage = readFileSync(join(import.meta.dirname, 'demo', 'crm.html'), 'utf8');
  http.get('/demo/crm', async (_req, reply) => reply.type('text/html; charset=utf-8').send(demoPage));
  http.get('/', async (_req, reply) => reply.redirect('/demo/crm'));

  // Open WebSockets would hold the HTTP server open: close them before it stops. Closing the
  // connections (not disconnecting each socket, which tells a client "you were sent away": it
  // would not reconnect) lets every client reconnect with its backoff and jitter to the instance
  // that replaces this one.
  http.addHook('preClose', async () => {
    await sender.stop(); // calls to Twilio in flight finish, so none is left with an unknown outcome
    io.engine.close();
  });
  http.addHook('onClose', async () => {
    await Promise.all([cluster?.pub.quit(), cluster?.sub.quit()]);
  });
  return { http, io, requests, sender };
}

/** Where Twilio's REST API (and its media) lives: Twilio's, or the local stand-in's. */
export function twilioApiBase(config: Pick<ServerConfig, 'twilioApiBaseUrl'>): string {
  return config.twilioApiBaseUrl ?? 'https://api.twilio.com';
}

function conversationIdOf(req: FastifyRequest): string {
  const id = uuid.safeParse((req.params as { id?: string }).id);
  if (!id.success) throw new HttpError(400, 'bad_request', 'conversation id must be a UUID');
  return id.data;
}

/** The Redis clients of the Socket.IO adapter (one publishes, one subscribes), connected. */
async function connectRedis(url: string, log: Logger): Promise<{ pub: RedisClientType; sub: RedisClientType }> {
  const pub: RedisClientType = createClient({ url });
  const sub: RedisClientType = pub.duplicate();
  for (const [name, client] of [['pub', pub], ['sub', sub]] as const) client.on('error', (err: Error) => log.error({ err, client: name }, 'redis error'));
  try {
    await Promise.all([pub.connect(), sub.connect()]);
  } catch (err) {
    throw new Error(`cannot connect to Redis at ${url.replace(/\/\/[^@]*@/, '//***@')}: ${(err as Error).message}`, { cause: err });
  }
  return { pub, sub };
}
