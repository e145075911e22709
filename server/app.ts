import cors from '@fastify/cors';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type pg from 'pg';
import { createClient, type RedisClientType } from 'redis';
import { z } from 'zod';
import { agentRequestLimit, authenticateAgent } from './auth/agent';
import type { TokenVerifier } from './auth/jwt';
import type { ServerConfig } from './config';
import { answerErrors, answerNotFound, HttpError } from './errors';
import { registerOperatorRoutes } from './http/operator';
import { originAllowed, sameHost } from './http/origins';
import { registerAdminRoutes, registerInviteRoutes } from './admin/routes';
import { createCursorSigner } from './inbox/cursor';
import { registerInboxRoutes } from './inbox/routes';
import { startSnoozeSweeper } from './inbox/status';
import type { Logger } from './logger';
import { resolveWithDns, type ResolveHost } from './media/public-url';
import { createMessageMediaSigner, registerMediaRoutes, registerMessageMediaLinkRoute, registerSignedMessageMediaRoute } from './media/routes';
import { createDiskStorage, createSupabaseStorage } from './media/storage';
import { createUploadSigner, registerUploadRoutes, registerUploadTicketRoute, signedMediaUrl, startUploadSweeper, type UploadRouteDeps } from './media/uploads';
import { countRequests, type RequestCounter } from './metrics';
import { registerReplyRoutes } from './outbound/routes';
import { registerReportRoutes } from './reports/routes';
import { createSender, type Sender } from './outbound/sender';
import { createCrmWriter } from './crm/write-back';
import { createSealer } from './crm/seal';
import { registerCrmOAuthRoutes } from './crm/oauth-routes';
import { registerCrmAdminRoutes, registerCrmAgentRoutes } from './crm/routes';
import { crmVendorsAvailable } from './crm/status';
import { createTwilioClient } from './outbound/twilio-client';
import { createBroadcast } from './sockets/broadcast';
import { createStoredIds } from './sockets/stored-ids';
import { attachSocketIo } from './sockets/socket-io';
import { followScopes } from './sockets/scope';
import { orgRoom, type SwitchboardIo } from './sockets/rooms';
import { createCountsFeed } from './sockets/counts';
import { readCounts } from './inbox/counts';
import { registerTwilioWebhooks } from './webhooks/twilio';
import { trackPresence } from './routing/presence';
import { registerRoutingRoutes } from './routing/routes';
import { createRoutingWorker, type RoutingWorker } from './routing/worker';

export interface AppDeps {
  config: ServerConfig;
  db: pg.Pool;
  verify: TokenVerifier;
  log: Logger;
  /** How agents' file hosts are resolved (DNS by default; tests have no public DNS). */
  resolveHost?: ResolveHost;
  /** Routes the local stack adds (the demo CRM page); production has none. */
  extraRoutes?: (http: FastifyInstance) => void;
}

export interface App {
  http: FastifyInstance;
  io: SwitchboardIo;
  requests: RequestCounter;
  /** The outbox sender of this instance. */
  sender: Sender;
  /** Routing on this instance (docs/routing.md). */
  routing: RoutingWorker;
}

const uuid = z.uuid();

/**
 * Builds the HTTP API and Socket.IO server from its dependencies; `main.ts` boots it. It only
 * composes: each feature registers its own routes (webhooks, inbox, replies, media, operators)
 * and tells agents through the one broadcast module.
 */
export async function createApp(deps: AppDeps): Promise<App> {
  const { config, db, log } = deps;
  const http = Fastify({ loggerInstance: log.child({ name: 'http' }) as FastifyBaseLogger, bodyLimit: 256 * 1024, trustProxy: config.trustProxy });
  const cluster = config.redisUrl ? await connectRedis(config.redisUrl, log) : null;
  const { io, stop: stopSockets } = attachSocketIo(http.server, {
    ...deps,
    origins: config.origins,
    limits: config.limits,
    trustProxy: config.trustProxy,
    agentRecheckMs: config.agentRecheckMs,
    cluster: cluster ? { ...cluster, sweepMs: config.presenceSweepMs } : undefined,
  });
  // The organisation's conversation counts, to all its sockets at most once a second after a change.
  const counts = createCountsFeed({
    read: (organisationId) => readCounts(db, organisationId),
    emit: (organisationId, payload) => io.to(orgRoom(organisationId)).emit('counts:update', payload),
    onError: (err, organisationId) => log.warn({ err, organisationId }, 'reading conversation counts failed; tried again in a second'),
    clustered: cluster !== null,
  });
  // Teams or members changed: every socket of the organisation moves to its new delivery scope.
  const rescope = followScopes(io, db, {
    clustered: cluster !== null,
    onError: (err, organisationId) => log.error({ err, organisationId }, 'moving sockets to their new scope failed'),
  });
  // One copy per message: the ids of new messages, gathered, to sockets with the rows over Realtime.
  const storedIds = createStoredIds(io, { clustered: cluster !== null });
  const broadcast = createBroadcast(io, rescope, counts, storedIds);
  const requests = countRequests(http);
  // Routing (docs/routing.md): every instance listens and sweeps; the database decides once.
  const routing = createRoutingWorker({ db, io, broadcast, log: log.child({ name: 'routing' }), sweepMs: config.routingSweepMs });
  const routingPresence = trackPresence({
    io,
    db,
    log: log.child({ name: 'routing' }),
    ttlSeconds: config.routingPresenceTtlSeconds,
    onAvailable: (agentId) => void routing.wakeAgent(agentId),
  });

  // Browsers: only the extension (and configured origins) may call the API; a CRM page may not.
  await http.register(cors, { origin: (origin, cb) => cb(null, originAllowed(origin, config.origins)), exposedHeaders: ['content-disposition'] });
  http.addHook('onRequest', async (req, reply) => {
    // The invitation page calls its one route from this server's own origin.
    const ownPage = (req.url === '/api/invites/accept' || req.url === '/api/invites/preview') && sameHost(req.headers.origin, req.headers.host);
    if (!ownPage && !originAllowed(req.headers.origin, config.origins)) {
      return reply.code(403).send({ error: 'forbidden_origin', message: `requests from ${req.headers.origin} are not accepted` });
    }
  });
  await http.register(formbody);
  http.setErrorHandler(answerErrors);
  http.setNotFoundHandler(answerNotFound);

  await registerTwilioWebhooks(http, {
    db,
    publicUrl: () => config.publicUrl,
    twilio: config.twilio,
    twilioApiBaseUrl: twilioApiBase(config),
    bodyLimit: config.webhookBodyLimit,
    onStored: ({ organisationId, message, conversation }) => {
      broadcast.messageNew(organisationId, message, conversation);
      // Outside the team's hours: the auto-reply (once per closed period) goes out through the outbox.
      void routing
        .autoReply(conversation)
        .then((sent) => {
          if (!sent) return;
          broadcast.messageNew(sent.organisationId, sent.message, sent.conversation);
          sender.kick();
        })
        .catch((err: unknown) => log.warn({ err }, 'auto-reply failed'));
    },
    onStatus: broadcast.messageStatus,
    onUnrouted: (organisationId) => broadcast.teamChanged(organisationId, 'unrouted'),
  });
  // One request budget per agent: the API's calls and the agent's uploads take from it.
  const agentLimit = agentRequestLimit(config.limits.requestsPerAgent);
  // Agents' uploaded files: where they are kept, and the signed URLs Twilio fetches them from.
  const uploads: UploadRouteDeps = {
    db,
    storage:
      config.uploads.storage === 'disk'
        ? createDiskStorage(config.uploads.dir)
        : createSupabaseStorage({ supabaseUrl: config.supabaseUrl, serviceRoleKey: config.supabaseServiceRoleKey!, bucket: config.uploads.bucket }),
    signer: createUploadSigner(config.twilio.authToken),
    publicUrl: () => config.publicUrl,
    signedMediaTtlSeconds: config.signedMediaTtlSeconds,
    agentLimit,
  };
  registerUploadRoutes(http, uploads);
  // Files uploaded and never sent do not stay (disk or Storage would fill).
  const uploadSweeper = startUploadSweeper({
    ...uploads,
    everyMs: config.unsentUploads.sweepMs,
    unsentTtlMs: config.unsentUploads.ttlSeconds * 1000,
    onError: (err) => log.warn({ err }, 'upload sweep failed; retried on the next tick'),
  });
  const twilioClient = createTwilioClient(config.twilio, config.twilioApiBaseUrl);
  // Replies go out through the outbox; a stopped server's unsent replies go out when it starts.
  const sender = createSender({
    db,
    twilio: twilioClient,
    statusCallbackUrl: (id) => `${config.publicUrl}/api/webhooks/twilio/status?message=${id}`,
    uploadUrl: (id) => signedMediaUrl(uploads, id),
    log: log.child({ name: 'outbox' }),
    onStatus: broadcast.messageStatus,
  });

  // Conversations go to the organisations' CRMs through their outbox (docs/crm.md); their files as signed links.
  const mediaDeps = { db, source: { apiBaseUrl: twilioApiBase(config), ...config.twilio }, maxBytes: config.mediaMaxBytes, uploads };
  const mediaLinks = createMessageMediaSigner(config.twilio.authToken);
  /** A link to a message's file for a CRM record, working for CRM_MEDIA_LINK_DAYS from now. */
  const mediaLink = (messageId: string, index: number) => {
    const expires = Date.now() + config.crmMediaLinkDays * 86_400_000;
    return { url: `${config.publicUrl}${mediaLinks.path(messageId, index, expires)}`, expiresAt: new Date(expires).toISOString() };
  };
  registerSignedMessageMediaRoute(http, { ...mediaDeps, signer: mediaLinks });
  const crmWriter = createCrmWriter({
    db,
    sealer: config.crm.tokenKey ? createSealer(config.crm.tokenKey) : null,
    apps: config.crm.apps,
    pollMs: config.crm.pollMs,
    claimSeconds: config.crm.claimSeconds,
    log: log.child({ name: 'crm' }),
    mediaLink: (messageId, index) => mediaLink(messageId, index).url,
  });
  if (config.crm.writer) crmWriter.start();

  // Snoozes end on the server, whichever instance finds them first.
  const snoozes = startSnoozeSweeper({
    db,
    everyMs: config.snoozeSweepMs,
    onWoken: broadcast.conversationChanged,
    onError: (err) => log.warn({ err }, 'snooze sweep failed; retried on the next tick'),
  });

  const adminDeps = {
    db,
    broadcast,
    publicUrl: () => config.publicUrl,
    supabaseAdmin: config.supabaseServiceRoleKey
      ? { url: config.supabaseUrl, serviceRoleKey: config.supabaseServiceRoleKey, anonKey: config.supabaseAnonKey }
      : null,
    inviteLimits: config.inviteLimits,
    verify: deps.verify,
    twilioSource: { apiBaseUrl: twilioApiBase(config), accountSid: config.twilio.accountSid },
    crmVendors: crmVendorsAvailable(config.crm),
  };
  const crmDeps = { db, broadcast, publicUrl: () => config.publicUrl, tokenKey: config.crm.tokenKey, apps: config.crm.apps, check: crmWriter.check };
  registerOperatorRoutes(http, {
    token: config.operatorToken,
    io,
    requests,
    db,
    crmCheck: crmWriter.check,
    client: {
      supabaseUrl: config.supabaseUrl,
      supabaseAnonKey: config.supabaseAnonKey,
      workspaceName: config.workspace.name,
      minExtensionVersion: config.workspace.minExtensionVersion,
    },
  });

  await http.register(async (api) => {
    // onRequest: an unauthenticated request is answered before its body is read.
    api.addHook('onRequest', authenticateAgent({ ...deps, limit: agentLimit }));
    registerInboxRoutes(api, { db, broadcast, conversationIdOf, cursors: createCursorSigner(config.twilio.authToken) });
    registerReplyRoutes(api, { db, twilio: twilioClient, resolveHost: deps.resolveHost ?? resolveWithDns, sender, conversationIdOf, broadcast });
    registerAdminRoutes(api, adminDeps);
    registerCrmAdminRoutes(api, crmDeps);
    registerCrmAgentRoutes(api, { db, writer: crmWriter, apps: config.crm.apps, conversationIdOf });
    registerMediaRoutes(api, { ...mediaDeps, conversationIdOf });
    registerMessageMediaLinkRoute(api, { db, link: mediaLink, conversationIdOf });
    registerUploadTicketRoute(api, uploads);
    registerReportRoutes(api, { db });
    registerRoutingRoutes(api, { db, io, broadcast, worker: routing });
  });
  routing.start();

  registerInviteRoutes(http, adminDeps);
  registerCrmOAuthRoutes(http, crmDeps);
  deps.extraRoutes?.(http);

  // Open WebSockets would hold the HTTP server open: close them before it stops. Closing the
  // connections (not disconnecting each socket, which tells a client "you were sent away": it
  // would not reconnect) lets every client reconnect with its backoff and jitter to the instance
  // that replaces this one.
  http.addHook('preClose', async () => {
    await sender.stop(); // calls to Twilio in flight finish, so none is left with an unknown outcome
    await crmWriter.stop();
    await snoozes.stop();

    counts.stop();
    storedIds.stop();
    await routing.stop();
    await uploadSweeper.stop();
    // Together (each waits at most the adapter's request timeout for the work its sockets started):
    // the disconnects below then read nothing through the adapter, whose clients close next.
    await Promise.all([routingPresence.stop(), stopSockets()]);
    io.engine.close();
  });
  http.addHook('onClose', async () => {
    await Promise.all([cluster?.pub.quit(), cluster?.sub.quit()]);
  });
  return { http, io, requests, sender, routing };
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
  for (const [name, client] of [
    ['pub', pub],
    ['sub', sub],
  ] as const)
    client.on('error', (err: Error) => log.error({ err, client: name }, 'redis error'));
  try {
    await Promise.all([pub.connect(), sub.connect()]);
  } catch (err) {
    throw new Error(`cannot connect to Redis at ${url.replace(/\/\/[^@]*@/, '//***@')}: ${(err as Error).message}`, { cause: err });
  }
  return { pub, sub };
}
