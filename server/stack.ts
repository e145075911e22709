import cors from '@fastify/cors';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { createApp, type App } from './app';
import type { ResolveHost } from './media/public-url';
import { createTokenVerifier, type TokenVerifier } from './auth/jwt';
import { requestPolicy, type Env, type ServerConfig } from './config';
import { originAllowed } from './http/origins';
import { answerNotFound } from './errors';
import { startEmbeddedPostgres, type EmbeddedDb } from './dev/embedded-postgres';
import { bootstrapLocalSupabase, migrate } from './db/migrate';
import { registerLocalAuth } from './dev/local-supabase/auth';
import { createMailbox, type LocalMailbox } from './dev/local-supabase/mailbox';
import { registerLocalStorage } from './dev/local-supabase/storage';
import { loadOrCreateLocalSecrets, writeLocalConfig, type LocalConfigFile } from './dev/local-supabase/local-config';
import type { Logger } from './logger';
import { countRequests, type RequestCounter } from './metrics';
import { startTwilioStandIn, type TwilioStandIn } from './dev/twilio-stand-in/server';
import { startHubSpotStandIn, type HubSpotStandIn } from './dev/crm-stand-in/hubspot';
import { startPipedriveStandIn, type PipedriveStandIn } from './dev/crm-stand-in/pipedrive';
import { startSalesforceStandIn, type SalesforceStandIn } from './dev/crm-stand-in/salesforce';
import { startZohoStandIn, type ZohoStandIn } from './dev/crm-stand-in/zoho';
import { localSealKey } from './crm/seal';
import { ChangeStream } from './dev/local-supabase/realtime/cdc';
import { attachRealtime, type LocalRealtime } from './dev/local-supabase/realtime/server';

/** A running Switchboard: the app server and, in local mode, the embedded Supabase-compatible stack. */
export interface Stack {
  config: ServerConfig;
  db: pg.Pool;
  app: App;
  verify: TokenVerifier;
  /** Local mode only: secrets and URLs, as written to local.json. */
  local: LocalConfigFile | null;
  /** Local mode only: the Supabase-compatible Realtime. */
  realtime: LocalRealtime | null;
  /** Local mode only: the embedded PostgreSQL. */
  embedded: EmbeddedDb | null;
  /** Local mode only: requests answered by the local Supabase (Auth). */
  supabaseRequests: RequestCounter | null;
  /** Local mode only (unless TWILIO_API_BASE_URL is set): the Twilio stand-in replies go to. */
  twilioStandIn: TwilioStandIn | null;
  /** Local mode only (unless HUBSPOT_API_BASE_URL is set): the HubSpot stand-in CRM writes go to. */
  hubspotStandIn: HubSpotStandIn | null;
  /** Local mode only (unless PIPEDRIVE_OAUTH_URL is set): the Pipedrive stand-in. */
  pipedriveStandIn: PipedriveStandIn | null;
  /** Local mode only (unless SALESFORCE_LOGIN_URL is set): the Salesforce stand-in. */
  salesforceStandIn: SalesforceStandIn | null;
  /** Local mode only (unless ZOHO_CLIENT_ID is set): the Zoho CRM stand-in, for every data centre. */
  zohoStandIn: ZohoStandIn | null;
  /** Local mode only: the e-mails the local Auth would have sent (invitations). */
  mailbox: LocalMailbox | null;
  serverUrl: string;
  close(): Promise<void>;
}

/**
 * Boots everything `npm run server` needs. Without DATABASE_URL: embedded PostgreSQL, local Auth
 * on its own port, secrets from `<home>/local.json`. With DATABASE_URL + SUPABASE_URL: hosted Supabase.
 */
/** How long one part of the stack may take to stop. */
const SHUTDOWN_STEP_MS = 15_000;

export async function startStack(env: Env, log: Logger, overrides: { resolveHost?: ResolveHost; postgresSettings?: Record<string, string> } = {}): Promise<Stack> {
  // Each part stops in turn, newest first; one that does not stop within SHUTDOWN_STEP_MS is left
  // (and named in the log) so a stop never hangs, in Ctrl+C or in a test's teardown.
  const closers: Array<[string, () => Promise<void>]> = [];
  const close = async () => {
    for (const [name, fn] of closers.reverse()) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), SHUTDOWN_STEP_MS)));
      const outcome = await Promise.race([fn().then(() => 'done' as const, (err: unknown) => (log.error({ err, part: name }, 'error during shutdown'), 'done' as const)), late]);
      clearTimeout(timer);
      if (outcome === 'late') log.error({ part: name, ms: SHUTDOWN_STEP_MS }, 'a part did not stop in time; going on without it');
    }
  };
  try {
    const home = resolve(env.SWITCHBOARD_HOME);
    const policy = requestPolicy(env);
    let local: LocalConfigFile | null = null;
    let databaseUrl = env.DATABASE_URL;
    let embedded: EmbeddedDb | null = null;
    if (!databaseUrl) {
      local = await loadOrCreateLocalSecrets(home);
      embedded = await startEmbeddedPostgres({ home, port: env.EMBEDDED_PG_PORT, password: local.pgPassword, log, settings: overrides.postgresSettings });
      closers.push(['embedded PostgreSQL', () => embedded!.stop()]);
      databaseUrl = embedded.url;
    }
    // A connection attempt gives up after 5 s: with PostgreSQL away, requests answer 503 instead of hanging.
    const db = new pg.Pool({ connectionString: databaseUrl, max: 20, connectionTimeoutMillis: 5000 });
    // pool.end() does not wait for its idle connections to close: when PostgreSQL stops right after,
    // they report its shutdown, which is no failure.
    db.on('error', (err) => {
      if (!db.ending) log.error({ err }, 'idle database client failed');
    });
    closers.push(['database pool', () => db.end()]);

    if (local) await bootstrapLocalSupabase(db);
    await migrate(db, log.child({ name: 'migrate' }));

    const jwtSecret = env.SUPABASE_JWT_SECRET ?? local?.jwtSecret ?? null;
    let supabaseUrl = env.SUPABASE_URL;
    const verify = jwtSecret
      ? createTokenVerifier({ secret: jwtSecret })
      : createTokenVerifier({ jwksUrl: `${supabaseUrl}/auth/v1/.well-known/jwks.json` });

    let realtime: LocalRealtime | null = null;
    const mailbox = local ? createMailbox() : null;
    // Known once the app server listens (its port may be 0): Auth's site URL for e-mailed links.
    let publicUrl = env.PUBLIC_URL ?? '';
    let supabaseRequests: RequestCounter | null = null;
    if (local) {
      const changes = new ChangeStream({ connectionString: databaseUrl, publication: 'supabase_realtime', log: log.child({ name: 'cdc' }) });
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
      supabaseRequests = countRequests(localSupabase);
      await registerLocalAuth(localSupabase, {
        db,
        jwtSecret: local.jwtSecret,
        verify,
        supabaseUrl: () => supabaseUrl!,
        accessTokenTtlSeconds: env.LOCAL_AUTH_TOKEN_TTL,
        signInsPerIp: env.SIGN_INS_PER_IP,
        signInsPerEmail: env.SIGN_INS_PER_EMAIL,
        clientIp: (req) => req.ip,
        siteUrl: () => publicUrl,
        mail: (m) => {
          log.info({ to: m.to, subject: m.subject }, 'local mail kept in the mailbox (the local stack sends no e-mail)');
          mailbox!.deliver(m);
        },
      });
      await registerLocalStorage(localSupabase, { dir: join(home, 'storage'), verify });
      const rt = attachRealtime(localSupabase.server, {
        db,
        verify,
        changes,
        log,
        apiKeys: { publishable: local.publishableKey, secret: local.secretKey },
        origins: policy.origins,
        limits: { handshakesPerIp: env.HANDSHAKES_PER_IP, connectionsPerIp: env.CONNECTIONS_PER_IP },
        trustProxy: policy.trustProxy,
      });
      realtime = rt;
      // Upgraded sockets would keep the HTTP server from closing.
      localSupabase.addHook('preClose', () => rt.close());
      await localSupabase.listen({ host: env.HOST, port: env.LOCAL_SUPABASE_PORT });
      supabaseUrl = `http://${env.HOST}:${(localSupabase.server.address() as { port: number }).port}`;
      closers.push(['local Supabase', () => localSupabase.close()]);
    }

    const twilio = {
      accountSid: env.TWILIO_ACCOUNT_SID ?? local?.twilio.accountSid,
      authToken: env.TWILIO_AUTH_TOKEN ?? local?.twilio.authToken,
    };
    if (!twilio.accountSid || !twilio.authToken) {
      throw new Error('Invalid configuration:\n  TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN: required with hosted Supabase');
    }
    const anonKey = env.SUPABASE_ANON_KEY ?? local?.anonKey ?? '';
    // Twilio's servers are out of reach in development and tests: replies go to a faithful stand-in.
    let twilioStandIn: TwilioStandIn | null = null;
    if (local && !env.TWILIO_API_BASE_URL) {
      twilioStandIn = await startTwilioStandIn({ accountSid: twilio.accountSid, authToken: twilio.authToken });
      closers.push(['Twilio stand-in', () => twilioStandIn!.close()]);
    }
    // The CRMs are out of reach too: CRM write-back goes to their stand-ins.
    let hubspotStandIn: HubSpotStandIn | null = null;
    if (local && !env.HUBSPOT_API_BASE_URL) {
      hubspotStandIn = await startHubSpotStandIn();
      closers.push(['HubSpot stand-in', () => hubspotStandIn!.close()]);
    }
    let salesforceStandIn: SalesforceStandIn | null = null;
    if (local && !env.SALESFORCE_LOGIN_URL) {
      salesforceStandIn = await startSalesforceStandIn();
      closers.push(['Salesforce stand-in', () => salesforceStandIn!.close()]);
    }
    let zohoStandIn: ZohoStandIn | null = null;
    if (local && !env.ZOHO_CLIENT_ID) {
      zohoStandIn = await startZohoStandIn();
      closers.push(['Zoho stand-in', () => zohoStandIn!.close()]);
    }
    let pipedriveStandIn: PipedriveStandIn | null = null;
    if (local && !env.PIPEDRIVE_OAUTH_URL) {
      pipedriveStandIn = await startPipedriveStandIn();
      closers.push(['Pipedrive stand-in', () => pipedriveStandIn!.close()]);
    }
    const config: ServerConfig = {
      host: env.HOST,
      port: env.PORT,
      publicUrl: '',
      databaseUrl,
      supabaseUrl: supabaseUrl!,
      supabaseAnonKey: anonKey,
      jwtSecret,
      twilio: { accountSid: twilio.accountSid, authToken: twilio.authToken },
      twilioApiBaseUrl: env.TWILIO_API_BASE_URL ?? twilioStandIn?.url ?? null,
      webhookBodyLimit: env.WEBHOOK_BODY_LIMIT,
      mediaMaxBytes: env.MEDIA_MAX_BYTES,
      ...policy,
      operatorToken: env.OPERATOR_TOKEN ?? local?.operatorToken ?? null,
      redisUrl: env.REDIS_URL ?? null,
      presenceSweepMs: env.PRESENCE_SWEEP_MS,
      snoozeSweepMs: env.SNOOZE_SWEEP_MS,
      workspace: { name: env.WORKSPACE_NAME ?? null, minExtensionVersion: env.MIN_EXTENSION_VERSION },
      supabaseServiceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY ?? local?.serviceRoleKey ?? null,
      uploads:
        (env.UPLOADS_STORAGE ?? (!local && env.SUPABASE_SERVICE_ROLE_KEY ? 'supabase' : 'disk')) === 'supabase'
          ? { storage: 'supabase', bucket: env.UPLOADS_BUCKET }
          : { storage: 'disk', dir: resolve(env.UPLOADS_DIR ?? join(home, 'uploads')) },
      signedMediaTtlSeconds: env.SIGNED_MEDIA_TTL_SECONDS,
      unsentUploads: { ttlSeconds: env.UNSENT_UPLOAD_TTL_SECONDS, sweepMs: env.UPLOAD_SWEEP_MS },
      crmMediaLinkDays: env.CRM_MEDIA_LINK_DAYS,
      inviteLimits: { perAdminPerHour: env.INVITES_PER_ADMIN_PER_HOUR, perOrganisationPerDay: env.INVITES_PER_ORGANISATION_PER_DAY, perAddressPerDay: env.INVITES_PER_ADDRESS_PER_DAY },
      crm: {
        tokenKey: env.CRM_TOKEN_KEY ? Buffer.from(env.CRM_TOKEN_KEY, 'base64') : local ? localSealKey(local.jwtSecret) : null,
        pollMs: env.CRM_POLL_MS,
        writer: env.CRM_WRITER === 'on',
        claimSeconds: env.CRM_CLAIM_SECONDS,
        apps: {
          hubspot: {
            apiBaseUrl: env.HUBSPOT_API_BASE_URL ?? hubspotStandIn?.url ?? 'https://api.hubapi.com',
            appUrl: (env.HUBSPOT_APP_URL ?? hubspotStandIn?.url ?? 'https://app.hubspot.com').replace(/\/$/, ''),
            authorizeUrl: env.HUBSPOT_AUTHORIZE_URL ?? (hubspotStandIn ? `${hubspotStandIn.url}/oauth/authorize` : 'https://app.hubspot.com/oauth/authorize'),
            clientId: env.HUBSPOT_CLIENT_ID ?? hubspotStandIn?.oauth.clientId ?? null,
            clientSecret: env.HUBSPOT_CLIENT_SECRET ?? hubspotStandIn?.oauth.clientSecret ?? null,
          },
          pipedrive: {
            apiBaseUrl: env.PIPEDRIVE_API_DOMAIN ?? pipedriveStandIn?.url ?? null,
            appUrl: null,
            oauthUrl: env.PIPEDRIVE_OAUTH_URL ?? pipedriveStandIn?.url ?? 'https://oauth.pipedrive.com',
            clientId: env.PIPEDRIVE_CLIENT_ID ?? pipedriveStandIn?.oauth.clientId ?? null,
            clientSecret: env.PIPEDRIVE_CLIENT_SECRET ?? pipedriveStandIn?.oauth.clientSecret ?? null,
          },
          salesforce: {
            apiBaseUrl: env.SALESFORCE_INSTANCE_URL ?? salesforceStandIn?.url ?? null,
            appUrl: null,
            oauthUrl: env.SALESFORCE_LOGIN_URL ?? salesforceStandIn?.url ?? 'https://login.salesforce.com',
            clientId: env.SALESFORCE_CLIENT_ID ?? salesforceStandIn?.oauth.clientId ?? null,
            clientSecret: env.SALESFORCE_CLIENT_SECRET ?? salesforceStandIn?.oauth.clientSecret ?? null,
          },
          // Zoho's servers come from the data centre the admin chooses; a stand-in plays them all.
          zoho: {
            apiBaseUrl: env.ZOHO_STAND_IN_URL ?? zohoStandIn?.url ?? null,
            appUrl: env.ZOHO_STAND_IN_URL ?? zohoStandIn?.url ?? null,
            oauthUrl: env.ZOHO_STAND_IN_URL ?? zohoStandIn?.url,
            clientId: env.ZOHO_CLIENT_ID ?? zohoStandIn?.oauth.clientId ?? null,
            clientSecret: env.ZOHO_CLIENT_SECRET ?? zohoStandIn?.oauth.clientSecret ?? null,
          },
        },
      },
    };
    if (config.uploads.storage === 'disk' && config.redisUrl) {
      log.warn('agents’ uploads are kept on this instance’s disk, which other instances cannot read: set UPLOADS_STORAGE=supabase (with SUPABASE_SERVICE_ROLE_KEY) when running several instances');
    }
    // The public URL may depend on the port we got (port 0 in tests): resolve it after listen.
    const app = await createApp({ config, db, verify, log, resolveHost: overrides.resolveHost, demoCrmUrl: hubspotStandIn?.url ?? null });
    await app.http.listen({ host: env.HOST, port: env.PORT });
    closers.push(['HTTP server', () => app.http.close()]);
    const serverUrl = `http://${env.HOST}:${(app.http.server.address() as { port: number }).port}`;
    config.port = Number(new URL(serverUrl).port);
    config.publicUrl = (env.PUBLIC_URL ?? serverUrl).replace(/\/$/, '');
    publicUrl = config.publicUrl;

    if (local) {
      local = { ...local, serverUrl, publicUrl: config.publicUrl, supabaseUrl: config.supabaseUrl, databaseUrl, twilioStandInUrl: twilioStandIn?.url };
      writeLocalConfig(home, local);
    }
    log.info({ serverUrl, supabaseUrl: config.supabaseUrl, mode: local ? 'local' : 'hosted' }, 'Switchboard is up');
    return { config, db, app, verify, local, realtime, embedded, supabaseRequests, twilioStandIn, hubspotStandIn, pipedriveStandIn, salesforceStandIn, zohoStandIn, mailbox, serverUrl, close };
  } catch (err) {
    await close();
    throw err;
  }
}
