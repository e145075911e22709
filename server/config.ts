import { existsSync } from 'node:fs';
import { z } from 'zod';

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

  /** Hosted Supabase project URL; unset serves the local Supabase-compatible Auth. */
  SUPABASE_URL: z.url().optional(),
  SUPABASE_ANON_KEY: z.string().optional(),
  /** HS256 secret of the project (Settings → API → JWT secret). Without it, keys come from JWKS. */
  SUPABASE_JWT_SECRET: z.string().min(32).optional(),
  LOCAL_SUPABASE_PORT: z.coerce.number().int().min(0).max(65535).default(54321),
  /** Lifetime of access tokens issued by the local Auth (hosted Supabase: 3600). */
  LOCAL_AUTH_TOKEN_TTL: z.coerce.number().int().min(30).default(3600),

  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-f]{32}$/, 'must look like AC + 32 hex digits').optional(),
  TWILIO_AUTH_TOKEN: z.string().min(16).optional(),

  /** Where the `twilio` library sends API calls instead of Twilio (the local stack defaults to its built-in stand-in). */
  TWILIO_API_BASE_URL: z.url().optional(),
  WEBHOOK_BODY_LIMIT: z.coerce.number().int().positive().default(64 * 1024),
  /** The largest customer file the media route streams to an agent (WhatsApp's own limit is 16 MB for media). */
  MEDIA_MAX_BYTES: z.coerce.number().int().positive().default(16 * 1024 * 1024),

  /** Several server instances: their Socket.IO servers meet through this Redis (unset: one process, no Redis). */
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  /** With Redis: how often each instance re-checks presence (an instance may die without a word). */
  PRESENCE_SWEEP_MS: z.coerce.number().int().min(100).default(5000),
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
  /** Redis for the Socket.IO adapter (several instances), or null for one process. */
  redisUrl: string | null;
  presenceSweepMs: number;
}
