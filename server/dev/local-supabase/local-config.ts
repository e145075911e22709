import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signSupabaseJwt } from '../../auth/jwt';

/**
 * Secrets of the local stack, generated once per checkout and kept in `<home>/local.json`
 * (git-ignored) so that keys stay valid across restarts and scripts can read them.
 */
export interface LocalSecrets {
  jwtSecret: string;
  anonKey: string;
  serviceRoleKey: string;
  pgPassword: string;
  twilio: { accountSid: string; authToken: string };
  /** New-style API keys (`sb_publishable_…`, `sb_secret_…`), accepted only when they match exactly. */
  publishableKey: string;
  secretKey: string;
  /** Bearer token of the server's operator routes (/api/metrics, /api/socket). */
  operatorToken: string;
}

/** What `npm start` writes to `.switchboard/local.json` for scripts, tests and the extension build. */
export interface LocalConfigFile extends LocalSecrets {
  serverUrl?: string;
  publicUrl?: string;
  supabaseUrl?: string;
  databaseUrl?: string;
  /** The running Twilio stand-in (`npm run simulate` asks it for customers' media). */
  twilioStandInUrl?: string;
  demo?: { organisationId: string; whatsappNumber: string; messagingServiceSid: string; agents: string[]; password: string };
}

const TEN_YEARS = 10 * 365 * 24 * 3600;

export function localConfigPath(home: string): string {
  return join(home, 'local.json');
}

export function readLocalConfig(home: string): LocalConfigFile | null {
  const path = localConfigPath(home);
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LocalConfigFile;
  } catch (err) {
    throw new Error(`${path} is damaged (${(err as Error).message}): delete ${home} to start over with a fresh local stack`, { cause: err });
  }
}

/** Written whole or not at all (a temp file renamed over it): a start stopped mid-write leaves the previous file. */
export function writeLocalConfig(home: string, cfg: LocalConfigFile): void {
  mkdirSync(home, { recursive: true });
  const path = localConfigPath(home);
  writeFileSync(`${path}.tmp`, JSON.stringify(cfg, null, 2) + '\n', { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

export async function loadOrCreateLocalSecrets(home: string): Promise<LocalConfigFile> {
  const existing = readLocalConfig(home);
  if (existing?.jwtSecret) {
    // Checkouts made before these keys existed get them now.
    if (existing.publishableKey && existing.secretKey && existing.operatorToken) return existing;
    const upgraded = { ...newKeys(), ...existing };
    writeLocalConfig(home, upgraded);
    return upgraded;
  }
  const jwtSecret = randomBytes(32).toString('base64url');
  const iat = Math.floor(Date.now() / 1000);
  const cfg: LocalConfigFile = {
    jwtSecret,
    anonKey: await signSupabaseJwt(jwtSecret, { iss: 'supabase-local', role: 'anon', iat, exp: iat + TEN_YEARS }),
    serviceRoleKey: await signSupabaseJwt(jwtSecret, { iss: 'supabase-local', role: 'service_role', iat, exp: iat + TEN_YEARS }),
    pgPassword: randomBytes(16).toString('hex'),
    twilio: { accountSid: `AC${randomBytes(16).toString('hex')}`, authToken: randomBytes(16).toString('hex') },
    ...newKeys(),
  };
  writeLocalConfig(home, cfg);
  return cfg;
}

function newKeys(): Pick<LocalSecrets, 'publishableKey' | 'secretKey' | 'operatorToken'> {
  return {
    publishableKey: `sb_publishable_${randomBytes(16).toString('base64url')}`,
    secretKey: `sb_secret_${randomBytes(24).toString('base64url')}`,
    operatorToken: randomBytes(24).toString('base64url'),
  };
}
