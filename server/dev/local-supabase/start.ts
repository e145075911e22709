import cors from '@fastify/cors';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { join } from 'node:path';
import type pg from 'pg';
import type { TokenVerifier } from '../../auth/jwt';
import type { Env, requestPolicy } from '../../config';
import { answerNotFound } from '../../errors';
import { originAllowed } from '../../http/origins';
import type { Logger } from '../../logger';
import { countRequests } from '../../metrics';
import { registerLocalAuth } from './auth';
import type { LocalConfigFile } from './local-config';
import { createMailbox } from './mailbox';
import { ChangeStream } from './realtime/cdc';
import { attachRealtime } from './realtime/server';
import { registerLocalStorage } from './storage';

/** What stops each started part, in the order they started. */
export type Closers = Array<[string, () => Promise<void>]>;

/**
 * The local Supabase-compatible stack beside the app server: Auth, Storage and Realtime (over the
 * embedded PostgreSQL's logical replication) on their own port, as hosted Supabase serves them.
 */
export async function startLocalSupabase(o: {
  env: Env;
  log: Logger;
  policy: ReturnType<typeof requestPolicy>;
  home: string;
  db: pg.Pool;
  databaseUrl: string;
  local: LocalConfigFile;
  verify: TokenVerifier;
  /** Auth's site URL for e-mailed links, known once the app server listens. */
  siteUrl: () => string;
  closers: Closers;
}) {
  const { env, log, policy, db, local, verify, closers } = o;
  let url = '';
  const changes = new ChangeStream({ connectionString: o.databaseUrl, publication: 'supabase_realtime', log: log.child({ name: 'cdc' }) });
  await changes.start();
  closers.push(['change stream', () => changes.stop()]);
  const localSupabase = Fastify({ loggerInstance: log.child({ name: 'local-supabase' }) as FastifyBaseLogger, trustProxy: policy.trustProxy });
  // Browsers: the extension signs in here; a web page may not (CORS and an Origin check).
  await localSupabase.register(cors, {
    origin: (origin, cb) => cb(null, originAllowed(origin, policy.origins)),
    allowedHeaders: ['apikey', 'authorization', 'content-type', 'x-client-info', 'x-supabase-api-version'],
    exposedHeaders: ['x-supabase-api-version', 'x-total-count', 'link'],
  });
  localSupabase.addHook('onRequest', async (req, reply) => {
    if (!originAllowed(req.headers.origin, policy.origins)) return reply.code(403).send({ code: 'forbidden_origin', message: 'Origin not allowed' });
  });
  // Its links carry tokens (`/auth/v1/verify?token=`): an unmatched one is not logged with them.
  localSupabase.setNotFoundHandler(answerNotFound);
  const requests = countRequests(localSupabase);
  const mailbox = createMailbox();
  await registerLocalAuth(localSupabase, {
    db,
    jwtSecret: local.jwtSecret,
    verify,
    supabaseUrl: () => url,
    accessTokenTtlSeconds: env.LOCAL_AUTH_TOKEN_TTL,
    signInsPerIp: env.SIGN_INS_PER_IP,
    signInsPerEmail: env.SIGN_INS_PER_EMAIL,
    clientIp: (req) => req.ip,
    siteUrl: o.siteUrl,
    mail: (m) => {
      log.info({ to: m.to, subject: m.subject }, 'local mail kept in the mailbox (the local stack sends no e-mail)');
      mailbox.deliver(m);
    },
  });
  await registerLocalStorage(localSupabase, { dir: join(o.home, 'storage'), verify });
  const realtime = attachRealtime(localSupabase.server, {
    db,
    verify,
    changes,
    log,
    apiKeys: { publishable: local.publishableKey, secret: local.secretKey },
    origins: policy.origins,
    limits: { handshakesPerIp: env.HANDSHAKES_PER_IP, connectionsPerIp: env.CONNECTIONS_PER_IP },
    trustProxy: policy.trustProxy,
  });
  // Upgraded sockets would keep the HTTP server from closing.
  localSupabase.addHook('preClose', () => realtime.close());
  await localSupabase.listen({ host: env.HOST, port: env.LOCAL_SUPABASE_PORT });
  url = `http://${env.HOST}:${(localSupabase.server.address() as { port: number }).port}`;
  closers.push(['local Supabase', () => localSupabase.close()]);
  return { url, realtime, mailbox, requests };
}
