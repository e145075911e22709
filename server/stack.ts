import { join, resolve } from 'node:path';
import pg from 'pg';
import { createPool } from './db/pool';
import { createApp, type App } from './app';
import type { ResolveHost } from './media/public-url';
import { createTokenVerifier, type TokenVerifier } from './auth/jwt';
import { requestPolicy, type Env, type ServerConfig } from './config';
import { bootstrapLocalSupabase, migrate } from './db/migrate';
import type { Logger } from './logger';
import type { RequestCounter } from './metrics';
import { localSealKey } from './crm/seal';
// Types only (erased): the local stack's parts are handed in by server/dev/local-stack.ts, so the
// production server (server/main.ts and its bundle) contains none of server/dev/.
import type { EmbeddedDb } from './dev/embedded-postgres';
import type { LocalMailbox } from './dev/local-supabase/mailbox';
import type { LocalConfigFile } from './dev/local-supabase/local-config';
import type { LocalRealtime } from './dev/local-supabase/realtime/server';
import type { TwilioStandIn } from './dev/twilio-stand-in/server';
import type { HubSpotStandIn } from './dev/crm-stand-in/hubspot';
import type { PipedriveStandIn } from './dev/crm-stand-in/pipedrive';
import type { SalesforceStandIn } from './dev/crm-stand-in/salesforce';
import type { ZohoStandIn } from './dev/crm-stand-in/zoho';
import type { registerDemoRoutes } from './dev/demo/routes';
import type { startEmbeddedPostgres } from './dev/embedded-postgres';
import type { loadOrCreateLocalSecrets, writeLocalConfig } from './dev/local-supabase/local-config';
import type { startLocalSupabase } from './dev/local-supabase/start';
import type { startStandIns } from './dev/stand-ins';

/** What the local stack adds to the server, handed in by server/dev/local-stack.ts (never imported here). */
export interface LocalStackParts {
  loadOrCreateLocalSecrets: typeof loadOrCreateLocalSecrets;
  startEmbeddedPostgres: typeof startEmbeddedPostgres;
  startLocalSupabase: typeof startLocalSupabase;
  startStandIns: typeof startStandIns;
  registerDemoRoutes: typeof registerDemoRoutes;
  writeLocalConfig: typeof writeLocalConfig;
}

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

/** How long one part of the stack may take to stop. */
const SHUTDOWN_STEP_MS = 15_000;

/**
 * Boots the server. With DATABASE_URL + SUPABASE_URL: hosted Supabase (production). Without
 * DATABASE_URL, only when the local stack's parts are handed in (`local`, by
 * `startLocalStack` in server/dev/local-stack.ts: `npm start`, tests, benchmarks): embedded
 * PostgreSQL, local Auth, Storage and Realtime on their own port, stand-ins for Twilio and the
 * CRMs, secrets from `<home>/local.json`, the demo CRM page.
 */
export async function startStack(
  env: Env,
  log: Logger,
  overrides: { resolveHost?: ResolveHost; postgresSettings?: Record<string, string>; local?: LocalStackParts } = {},
): Promise<Stack> {
  // Each part stops in turn, newest first; one that does not stop within SHUTDOWN_STEP_MS is left
  // (and named in the log) so a stop never hangs, in Ctrl+C or in a test's teardown.
  const closers: Array<[string, () => Promise<void>]> = [];
  const close = async () => {
    for (const [name, fn] of closers.reverse()) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), SHUTDOWN_STEP_MS)));
      const outcome = await Promise.race([
        fn().then(
          () => 'done' as const,
          (err: unknown) => (log.error({ err, part: name }, 'error during shutdown'), 'done' as const),
        ),
        late,
      ]);
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
    const parts = overrides.local;
    if (!databaseUrl) {
      if (!parts) throw new Error('Invalid configuration:\n  DATABASE_URL: required (this is the production server; `npm start` runs the local stack)');
      local = await parts.loadOrCreateLocalSecrets(home);
      embedded = await parts.startEmbeddedPostgres({
        home,
        port: env.EMBEDDED_PG_PORT,
        password: local.pgPassword,
        log,
        settings: overrides.postgresSettings,
        template: env.EMBEDDED_PG_TEMPLATE,
      });
      closers.push(['embedded PostgreSQL', () => embedded!.stop()]);
      databaseUrl = embedded.url;
    }
    const db = createPool(databaseUrl, log);
    closers.push(['database pool', () => db.end()]);

    if (local) await bootstrapLocalSupabase(db);
    await migrate(db, log.child({ name: 'migrate' }));

    const jwtSecret = env.SUPABASE_JWT_SECRET ?? local?.jwtSecret ?? null;
    let supabaseUrl = env.SUPABASE_URL;
    const verify = jwtSecret ? createTokenVerifier({ secret: jwtSecret }) : createTokenVerifier({ jwksUrl: `${supabaseUrl}/auth/v1/.well-known/jwks.json` });

    let realtime: LocalRealtime | null = null;
    let mailbox: LocalMailbox | null = null;
    // Known once the app server listens (its port may be 0): Auth's site URL for e-mailed links.
    let publicUrl = env.PUBLIC_URL ?? '';
    let supabaseRequests: RequestCounter | null = null;
    if (local && parts) {
      const supabase = await parts.startLocalSupabase({ env, log, policy, home, db, databaseUrl, local, verify, siteUrl: () => publicUrl, closers });
      ({ realtime, mailbox, requests: supabaseRequests, url: supabaseUrl } = supabase);
    }

    const twilio = {
      accountSid: env.TWILIO_ACCOUNT_SID ?? local?.twilio.accountSid,
      authToken: env.TWILIO_AUTH_TOKEN ?? local?.twilio.authToken,
    };
    if (!twilio.accountSid || !twilio.authToken) {
      throw new Error('Invalid configuration:\n  TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN: required with hosted Supabase');
    }
    const anonKey = env.SUPABASE_ANON_KEY ?? local?.anonKey ?? '';
    // Twilio's servers and the CRMs are out of reach in development and tests: stand-ins play them.
    const standIns = local && parts ? await parts.startStandIns(env, { accountSid: twilio.accountSid, authToken: twilio.authToken }, closers) : null;
    const twilioStandIn = standIns?.twilio ?? null;
    const hubspotStandIn = standIns?.hubspot ?? null;
    const pipedriveStandIn = standIns?.pipedrive ?? null;
    const salesforceStandIn = standIns?.salesforce ?? null;
    const zohoStandIn = standIns?.zoho ?? null;
    // Every CRM call's time limit (docs/crm.md, "Timeouts"), the same for each vendor's app.
    const timeouts = { callMs: env.CRM_CALL_TIMEOUT_MS, tokenMs: env.CRM_TOKEN_TIMEOUT_MS };
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
      routingSweepMs: env.ROUTING_SWEEP_MS,
      routingPresenceTtlSeconds: env.ROUTING_PRESENCE_TTL_SECONDS,
      workspace: { name: env.WORKSPACE_NAME ?? null, minExtensionVersion: env.MIN_EXTENSION_VERSION },
      supabaseServiceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY ?? local?.serviceRoleKey ?? null,
      uploads:
        (env.UPLOADS_STORAGE ?? (!local && env.SUPABASE_SERVICE_ROLE_KEY ? 'supabase' : 'disk')) === 'supabase'
          ? { storage: 'supabase', bucket: env.UPLOADS_BUCKET }
          : { storage: 'disk', dir: resolve(env.UPLOADS_DIR ?? join(home, 'uploads')) },
      signedMediaTtlSeconds: env.SIGNED_MEDIA_TTL_SECONDS,
      unsentUploads: { ttlSeconds: env.UNSENT_UPLOAD_TTL_SECONDS, sweepMs: env.UPLOAD_SWEEP_MS },
      crmMediaLinkDays: env.CRM_MEDIA_LINK_DAYS,
      inviteLimits: {
        perAdminPerHour: env.INVITES_PER_ADMIN_PER_HOUR,
        perOrganisationPerDay: env.INVITES_PER_ORGANISATION_PER_DAY,
        perAddressPerDay: env.INVITES_PER_ADDRESS_PER_DAY,
      },
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
            timeouts,
          },
          pipedrive: {
            apiBaseUrl: env.PIPEDRIVE_API_DOMAIN ?? pipedriveStandIn?.url ?? null,
            appUrl: null,
            oauthUrl: env.PIPEDRIVE_OAUTH_URL ?? pipedriveStandIn?.url ?? 'https://oauth.pipedrive.com',
            clientId: env.PIPEDRIVE_CLIENT_ID ?? pipedriveStandIn?.oauth.clientId ?? null,
            clientSecret: env.PIPEDRIVE_CLIENT_SECRET ?? pipedriveStandIn?.oauth.clientSecret ?? null,
            timeouts,
          },
          salesforce: {
            apiBaseUrl: env.SALESFORCE_INSTANCE_URL ?? salesforceStandIn?.url ?? null,
            appUrl: null,
            oauthUrl: env.SALESFORCE_LOGIN_URL ?? salesforceStandIn?.url ?? 'https://login.salesforce.com',
            clientId: env.SALESFORCE_CLIENT_ID ?? salesforceStandIn?.oauth.clientId ?? null,
            clientSecret: env.SALESFORCE_CLIENT_SECRET ?? salesforceStandIn?.oauth.clientSecret ?? null,
            timeouts,
          },
          // Zoho's servers come from the data centre the admin chooses; a stand-in plays them all.
          zoho: {
            apiBaseUrl: env.ZOHO_STAND_IN_URL ?? zohoStandIn?.url ?? null,
            appUrl: env.ZOHO_STAND_IN_URL ?? zohoStandIn?.url ?? null,
            oauthUrl: env.ZOHO_STAND_IN_URL ?? zohoStandIn?.url,
            clientId: env.ZOHO_CLIENT_ID ?? zohoStandIn?.oauth.clientId ?? null,
            clientSecret: env.ZOHO_CLIENT_SECRET ?? zohoStandIn?.oauth.clientSecret ?? null,
            timeouts,
          },
        },
      },
    };
    if (config.uploads.storage === 'disk' && config.redisUrl) {
      log.warn(
        'agents’ uploads are kept on this instance’s disk, which other instances cannot read: set UPLOADS_STORAGE=supabase (with SUPABASE_SERVICE_ROLE_KEY) when running several instances',
      );
    }
    // The public URL may depend on the port we got (port 0 in tests): resolve it after listen.
    const app = await createApp({
      config,
      db,
      verify,
      log,
      resolveHost: overrides.resolveHost,
      extraRoutes: parts && local ? (http) => parts.registerDemoRoutes(http, { crmUrl: hubspotStandIn?.url ?? null }) : undefined,
    });
    await app.http.listen({ host: env.HOST, port: env.PORT });
    closers.push(['HTTP server', () => app.http.close()]);
    const serverUrl = `http://${env.HOST}:${(app.http.server.address() as { port: number }).port}`;
    config.port = Number(new URL(serverUrl).port);
    config.publicUrl = (env.PUBLIC_URL ?? serverUrl).replace(/\/$/, '');
    publicUrl = config.publicUrl;

    if (local && parts) {
      local = { ...local, serverUrl, publicUrl: config.publicUrl, supabaseUrl: config.supabaseUrl, databaseUrl, twilioStandInUrl: twilioStandIn?.url };
      parts.writeLocalConfig(home, local);
    }
    log.info({ serverUrl, supabaseUrl: config.supabaseUrl, mode: local ? 'local' : 'hosted' }, 'Switchboard is up');
    return {
      config,
      db,
      app,
      verify,
      local,
      realtime,
      embedded,
      supabaseRequests,
      twilioStandIn,
      hubspotStandIn,
      pipedriveStandIn,
      salesforceStandIn,
      zohoStandIn,
      mailbox,
      serverUrl,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
