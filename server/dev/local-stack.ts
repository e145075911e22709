import type { Env } from '../config';
import type { Logger } from '../logger';
import type { ResolveHost } from '../media/public-url';
import { startStack, type LocalStackParts, type Stack } from '../stack';
import { registerDemoRoutes } from './demo/routes';
import { startEmbeddedPostgres } from './embedded-postgres';
import { loadOrCreateLocalSecrets, writeLocalConfig } from './local-supabase/local-config';
import { startLocalSupabase } from './local-supabase/start';
import { startStandIns } from './stand-ins';

/** What the local stack adds to the server (`startStack`'s `local`): only its wiring reaches server/dev/. */
export const localStackParts: LocalStackParts = {
  loadOrCreateLocalSecrets,
  startEmbeddedPostgres,
  startLocalSupabase,
  startStandIns,
  registerDemoRoutes,
  writeLocalConfig,
};

/**
 * The local, Supabase-compatible stack (`npm start`, tests, benchmarks, and `npm run server`
 * without DATABASE_URL): the server with embedded PostgreSQL, local Auth, Storage and Realtime,
 * the stand-ins and the demo CRM page. With DATABASE_URL set, the server as in production.
 */
export function startLocalStack(
  env: Env,
  log: Logger,
  overrides: { resolveHost?: ResolveHost; postgresSettings?: Record<string, string> } = {},
): Promise<Stack> {
  return startStack(env, log, { ...overrides, local: localStackParts });
}
