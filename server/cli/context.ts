import pg from 'pg';
import { resolve } from 'node:path';
import { readLocalConfig, type LocalConfigFile } from '../dev/local-supabase/local-config';

/**
 * What the command-line tools connect to: the running local stack (from `.switchboard/local.json`)
 * or, with DATABASE_URL and SUPABASE_URL set, a hosted deployment.
 */
export interface CliContext {
  db: pg.Pool;
  supabase: { url: string; serviceRoleKey: string };
  local: LocalConfigFile | null;
}

export function cliContext(): CliContext {
  const home = resolve(process.env.SWITCHBOARD_HOME ?? '.switchboard');
  const local = readLocalConfig(home);
  const databaseUrl = process.env.DATABASE_URL ?? local?.databaseUrl;
  const supabaseUrl = process.env.SUPABASE_URL ?? local?.supabaseUrl;
  const serviceRoleKey = process.env.SUPABASE_SERVICE_ROLE_KEY ?? local?.serviceRoleKey;
  if (!databaseUrl || !supabaseUrl || !serviceRoleKey) {
    throw new Error(
      'No running Switchboard found. Start the local stack first (`npm start` or `npm run server`), ' +
        'or set DATABASE_URL, SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY for a hosted deployment.',
    );
  }
  return { db: new pg.Pool({ connectionString: databaseUrl, max: 2 }), supabase: { url: supabaseUrl, serviceRoleKey }, local };
}

/** Runs a CLI body, printing a readable error (not a stack) and setting the exit code. */
export function runCli(fn: () => Promise<void>): void {
  fn().catch((err: unknown) => {
    const e = err as Error & { code?: string };
    console.error(`error: ${e.code === 'ECONNREFUSED' ? 'the database is not reachable; is the stack running?' : e.message}`);
    if (e.cause) console.error(`cause: ${(e.cause as Error).message ?? e.cause}`);
    process.exitCode = 1;
  });
}
