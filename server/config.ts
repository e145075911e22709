import type { CrmApp, HubSpotApp } from './crm/oauth';
import { CRM_TIMEOUTS } from './crm/timeouts';
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { parseOrigins, type OriginPolicy } from './http/origins';

/**
 * Server configuration, read from the environment and validated once at boot.
 * Every variable is described in `.env.example`.
 */
const envSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** The URL Twilio calls us at; signatures are computed over it, so it must match exactly. */
  PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Where the embedded stack keeps its data and `local.json`. */
  SWITCHBOARD_HOME: z.string().default('.switchboard'),

  /** Set to use an existing PostgreSQL (hosted Supabase); unset starts the embedded one. */
  DATABASE_URL: z.string().optional(),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(0).max(65535).default(54322),
  /**
   * A folder where a freshly initialised embedded cluster is kept and copied into each new data
   * directory instead of running initdb again (tests and benchmarks start a hundred stacks).
   */
  EMBEDDED_PG_TEMPLATE: z.string().optional(),

  /** Hosted Supabase project URL; unset serves the local Supabase-compatible Auth. */
  SUPABASE_URL: z.url().optional(),
  SUPABASE_ANON_KEY: z.string().optional(),
  /** HS256 secret of the project (Settings → API → JWT secret). Without it, keys come from JWKS. */
  SUPABASE_JWT_SECRET: z.string().min(32).optional(),
  LOCAL_SUPABASE_PORT: z.coerce.number().int().min(0).max(65535).default(54321),
  /** Lifetime of access tokens issued by the local Auth (hosted Supabase: 3600). */
  LOCAL_AUTH_TOKEN_TTL: z.coerce.number().int().min(30).default(3600),

  TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-f]{32}$/, 'must look like AC + 32 hex digits')
    .optional(),
  TWILIO_AUTH_TOKEN: z.string().min(16).optional(),

  /** Where the `twilio` library sends API calls instead of Twilio (the local stack defaults to its built-in stand-in). */
  TWILIO_API_BASE_URL: z.url().optional(),
  WEBHOOK_BODY_LIMIT: z.coerce
    .number()
    .int()
    .positive()
    .default(64 * 1024),
  /** The largest customer file the media route streams to an agent (WhatsApp's own limit is 16 MB for media). */
  MEDIA_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),

  /**
   * Browser origins allowed to call the server, Auth and Realtime. Unset: any extension origin
   * (chrome-extension://, moz-extension://). Set it to your published extension's origin(s).
   */
  EXTENSION_ORIGINS: z.string().optional(),
  /** Web origins allowed besides the extension (none by default: CRM pages are not clients). */
  WEB_ORIGINS: z.string().optional(),
  /**
   * Which proxies' X-Forwarded-For to believe: unset/false = none (the socket's address is the
   * client), a hop count, or comma-separated addresses/CIDRs of your load balancers.
   */
  TRUST_PROXY: z.string().optional(),
  /** Bearer token for /api/metrics and /api/socket (operators only); unset: those routes are off. The local stack makes one. */
  OPERATOR_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  /**
   * Lets admins invite agents from the product (the server creates their Supabase Auth user). Only
   * on the servers' private side; without it, invitations answer 503 and `npm run admin` remains.
   */
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(20).optional(),
  /** The workspace's name, shown to agents when they connect (GET /api/config). */
  WORKSPACE_NAME: z.string().trim().min(1).max(200).optional(),
  /** Extensions older than this are told to update instead of connecting (GET /api/config). */
  MIN_EXTENSION_VERSION: z
    .string()
    .regex(/^\d+(\.\d+){0,3}$/, 'must be a version such as 0.2.0')
    .default('0.1.0'),
  /** Socket.IO connections one agent may hold at once (each browser holds one). */
  SOCKETS_PER_AGENT: z.coerce.number().int().min(1).default(10),
  /** Invitations an admin may make an hour, an organisation a day, and one organisation to one address a day. */
  INVITES_PER_ADMIN_PER_HOUR: z.coerce.number().int().min(1).default(20),
  INVITES_PER_ORGANISATION_PER_DAY: z.coerce.number().int().min(1).default(100),
  INVITES_PER_ADDRESS_PER_DAY: z.coerce.number().int().min(1).default(3),
  /** REST requests (uploads included) an agent may make every 10 seconds, per instance. */
  REQUESTS_PER_AGENT: z.coerce.number().int().min(1).default(120),
  /** WebSocket handshakes (Socket.IO and local Realtime) one IP may start per 10 s. */
  HANDSHAKES_PER_IP: z.coerce.number().int().min(1).default(300),
  /** WebSocket connections one IP may hold at once (an office behind one NAT holds one per agent). */
  CONNECTIONS_PER_IP: z.coerce.number().int().min(1).default(2000),
  /** Local Auth: password sign-ins per IP and per email in 5 minutes (GoTrue's default per IP is 30). */
  /** How often each instance re-reads its connected agents: one removed or moved is cut then (and on every token refresh). */
  AGENT_RECHECK_MS: z.coerce.number().int().min(100).default(30_000),
  SIGN_INS_PER_IP: z.coerce.number().int().min(1).default(30),
  SIGN_INS_PER_EMAIL: z.coerce.number().int().min(1).default(10),

  /** Several server instances: their Socket.IO servers meet through this Redis (unset: one process, no Redis). */
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  /** With Redis: how often each instance re-checks presence (an instance may die without a word). */
  PRESENCE_SWEEP_MS: z.coerce.number().int().min(100).default(5000),
  /** How often each instance reopens conversations whose snooze has ended (each wakes once, whichever instance finds it). */
  SNOOZE_SWEEP_MS: z.coerce.number().int().min(100).default(5000),
  /** How often each instance sweeps routing (queues, SLA due times and breaches, hand-backs): docs/routing.md. */
  ROUTING_SWEEP_MS: z.coerce.number().int().min(100).default(1000),
  /** How long an agent counts as connected after their server instance last vouched for them (one that died stops): docs/routing.md. */
  ROUTING_PRESENCE_TTL_SECONDS: z.coerce.number().int().min(2).max(600).default(60),

  /**
   * Where agents' uploaded files are kept: `disk` (UPLOADS_DIR; one machine) or `supabase` (a
   * private Storage bucket, UPLOADS_BUCKET; needs SUPABASE_SERVICE_ROLE_KEY). Default: supabase
   * with hosted Supabase and the service-role key, else disk.
   */
  UPLOADS_STORAGE: z.enum(['disk', 'supabase']).optional(),
  /** Default: <SWITCHBOARD_HOME>/uploads. */
  UPLOADS_DIR: z.string().optional(),
  UPLOADS_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{2,62}$/, 'a bucket name: lowercase letters, digits, dots, - and _')
    .default('switchboard-uploads'),
  /** How long the signed URL Twilio fetches an agent's file from works. */
  SIGNED_MEDIA_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 24 * 3600)
    .default(3600),
  /** An uploaded file no message sent is deleted (file and row) after this long. */
  UNSENT_UPLOAD_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 24 * 3600)
    .default(24 * 3600),
  /** How often each instance looks for unsent uploads to delete. */
  UPLOAD_SWEEP_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(10 * 60_000),
  /** How long a link to a file that CRM write-back puts on a CRM record works (an agent can make a new one). */
  CRM_MEDIA_LINK_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** 32 bytes, base64: seals CRM tokens at rest (docs/crm.md). Without it, CRM write-back is off (hosted). */
  CRM_TOKEN_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64 (for example: openssl rand -base64 32)')
    .optional(),
  /** HubSpot's API and OAuth consent page (the local stack uses its stand-in), and this deployment's HubSpot app. */
  HUBSPOT_API_BASE_URL: z.url().optional(),
  HUBSPOT_AUTHORIZE_URL: z.url().optional(),
  HUBSPOT_APP_URL: z.url().optional(),
  HUBSPOT_CLIENT_ID: z.string().min(1).optional(),
  HUBSPOT_CLIENT_SECRET: z.string().min(1).optional(),
  /** Pipedrive's OAuth server, and this deployment's Pipedrive app (the local stack uses its stand-in). */
  PIPEDRIVE_OAUTH_URL: z.url().optional(),
  /** The one company API origin to accept (the stand-in); unset: any https://<company>.pipedrive.com. */
  PIPEDRIVE_API_DOMAIN: z.url().optional(),
  PIPEDRIVE_CLIENT_ID: z.string().min(1).optional(),
  PIPEDRIVE_CLIENT_SECRET: z.string().min(1).optional(),
  /** Salesforce's login server (default https://login.salesforce.com; test.salesforce.com for sandboxes), and this deployment's connected app. */
  SALESFORCE_LOGIN_URL: z.url().optional(),
  /** The one instance URL to accept (the stand-in); unset: any https://<domain>.my.salesforce.com. */
  SALESFORCE_INSTANCE_URL: z.url().optional(),
  SALESFORCE_CLIENT_ID: z.string().min(1).optional(),
  SALESFORCE_CLIENT_SECRET: z.string().min(1).optional(),
  /** This deployment's Zoho CRM client (a server-based client, enabled in each data centre it serves). */
  /** The longest a CRM writer sleeps between looks at the outbox (it is woken by new records and when retries fall due). */
  CRM_POLL_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  /** Whether this instance writes to the CRMs (default yes): off for instances that only serve agents, when others write. */
  CRM_WRITER: z.enum(['on', 'off']).default('on'),
  /** How long a writer holds a record it is writing; a crashed writer's records are written by another after this. */
  CRM_CLAIM_SECONDS: z.coerce.number().int().min(2).max(3600).default(60),
  /** The longest one CRM API call may take before it fails, retryably (docs/crm.md, "Timeouts"). */
  CRM_CALL_TIMEOUT_MS: z.coerce.number().int().min(50).max(120_000).default(CRM_TIMEOUTS.callMs),
  /** The longest one CRM OAuth token request (code exchange, refresh) may take. */
  CRM_TOKEN_TIMEOUT_MS: z.coerce.number().int().min(50).max(120_000).default(CRM_TIMEOUTS.tokenMs),
  ZOHO_CLIENT_ID: z.string().min(1).optional(),
  ZOHO_CLIENT_SECRET: z.string().min(1).optional(),
  /** A stand-in for every Zoho data centre at once (the local stack's); unset: Zoho's own servers. */
  ZOHO_STAND_IN_URL: z.url().optional(),
});

export type Env = z.infer<typeof envSchema>;

/** Loads `.env` into process.env when present (variables already set win). */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

/** Parses the environment; throws one readable error listing every bad variable. */
export function parseEnv(env: NodeJS.ProcessEnv): Env {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const cfg = parsed.data;
  if (cfg.DATABASE_URL && !cfg.SUPABASE_URL) {
    throw new Error('Invalid configuration:\n  SUPABASE_URL: required when DATABASE_URL is set (hosted Supabase)');
  }
  if (cfg.UPLOADS_STORAGE === 'supabase' && cfg.SUPABASE_URL && !cfg.SUPABASE_SERVICE_ROLE_KEY) {
    throw new Error('Invalid configuration:\n  SUPABASE_SERVICE_ROLE_KEY: required to keep uploaded files in Supabase Storage (UPLOADS_STORAGE=supabase)');
  }
  if (cfg.SUPABASE_URL && !cfg.DATABASE_URL) {
    throw new Error('Invalid configuration:\n  DATABASE_URL: required when SUPABASE_URL is set (hosted Supabase)');
  }
  return cfg;
}

/** The resolved settings the app runs with, after the local stack has filled in what was unset. */
export interface ServerConfig {
  host: string;
  port: number;
  publicUrl: string;
  databaseUrl: string;
  supabaseUrl: string;
  supabaseAnonKey: string;
  /** HS256 secret; `null` means verify with the project's JWKS. */
  jwtSecret: string | null;
  twilio: { accountSid: string; authToken: string };
  /** Set only on the local stack: the Twilio stand-in's URL. */
  twilioApiBaseUrl: string | null;
  webhookBodyLimit: number;
  mediaMaxBytes: number;
  origins: OriginPolicy;
  /** Fastify's trustProxy: false, a hop count (as a function of the hop), or addresses/CIDRs. */
  trustProxy: boolean | string[] | ((address: string, hop: number) => boolean);
  /** Bearer token of the operator routes, or null (they are off). */
  operatorToken: string | null;
  limits: { socketsPerAgent: number; requestsPerAgent: number; handshakesPerIp: number; connectionsPerIp: number };
  agentRecheckMs: number;
  /** Redis for the Socket.IO adapter (several instances), or null for one process. */
  redisUrl: string | null;
  presenceSweepMs: number;
  snoozeSweepMs: number;
  routingSweepMs: number;
  routingPresenceTtlSeconds: number;
  /** Supabase's service-role key, for creating invited agents' users (null: invitations are off). */
  supabaseServiceRoleKey: string | null;
  /** What `GET /api/config` tells extensions besides where Supabase is. */
  workspace: { name: string | null; minExtensionVersion: string };
  /** Agents' uploaded files: where they are kept, and how long Twilio's signed URL to one works. */
  uploads: { storage: 'disk'; dir: string } | { storage: 'supabase'; bucket: string };
  signedMediaTtlSeconds: number;
  /** Unsent uploads: deleted this long after upload, looked for this often. */
  unsentUploads: { ttlSeconds: number; sweepMs: number };
  /** How long a file link on a CRM record works. */
  crmMediaLinkDays: number;
  /** How many invitations an admin, an organisation and one address may be sent. */
  inviteLimits: { perAdminPerHour: number; perOrganisationPerDay: number; perAddressPerDay: number };
  /** CRM write-back: the key tokens are sealed with (null: off) and where each vendor's API is. */
  crm: {
    tokenKey: Buffer | null;
    pollMs: number;
    writer: boolean;
    claimSeconds: number;
    apps: { hubspot: HubSpotApp; pipedrive: CrmApp; salesforce: CrmApp; zoho: CrmApp };
  };
}

/** The origin policy and trusted proxies the environment describes. */
export function requestPolicy(env: Env): Pick<ServerConfig, 'origins' | 'trustProxy' | 'limits' | 'agentRecheckMs'> {
  const trust = env.TRUST_PROXY?.trim();
  return {
    origins: { extensionOrigins: parseOrigins(env.EXTENSION_ORIGINS), webOrigins: parseOrigins(env.WEB_ORIGINS) },
    trustProxy:
      !trust || trust === 'false'
        ? false
        : trust === 'true'
          ? true
          : /^\d+$/.test(trust)
            ? (_address: string, hop: number) => hop < Number(trust)
            : trust.split(',').map((s) => s.trim()),
    limits: {
      socketsPerAgent: env.SOCKETS_PER_AGENT,
      requestsPerAgent: env.REQUESTS_PER_AGENT,
      handshakesPerIp: env.HANDSHAKES_PER_IP,
      connectionsPerIp: env.CONNECTIONS_PER_IP,
    },
    agentRecheckMs: env.AGENT_RECHECK_MS,
  };
}
