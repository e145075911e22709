// Runs a local stack in its own process (so the server and the load generator do not share an
// event loop) and prints what a client needs as one JSON line. Stops when stdin closes.
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from '../server/config';
import { pino } from 'pino';
import { startLocalStack } from '../server/dev/local-stack';
import { freePort, PG_TEMPLATE } from '../tests/support/stack';
import { BENCH_LIMITS } from './limits';

const home = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
chmodSync(home, 0o755);
const env = parseEnv({
  HOST: '127.0.0.1',
  PORT: '0',
  LOCAL_SUPABASE_PORT: '0',
  EMBEDDED_PG_PORT: String(await freePort()),
  SWITCHBOARD_HOME: home,
  EMBEDDED_PG_TEMPLATE: PG_TEMPLATE,
  LOG_LEVEL: 'error',
  // Every simulated agent connects from this one machine: per-address limits would measure themselves.
  ...BENCH_LIMITS,
});
// Logs go to stderr: stdout carries the one line the load generator reads.
// BENCH_PROFILE: PostgreSQL keeps statement statistics too (pg_stat_statements), read by the ingest scenario.
const postgresSettings = process.env.BENCH_PROFILE ? { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' } : undefined;
const stack = await startLocalStack(env, pino({ level: 'warn' }, pino.destination(2)), { postgresSettings });
console.log(
  JSON.stringify({
    pid: process.pid,
    serverUrl: stack.serverUrl,
    supabaseUrl: stack.config.supabaseUrl,
    anonKey: stack.config.supabaseAnonKey,
    jwtSecret: stack.local!.jwtSecret,
    databaseUrl: stack.config.databaseUrl,
    publicUrl: stack.config.publicUrl,
    twilio: stack.config.twilio,
    operatorToken: stack.config.operatorToken,
  }),
);
const stop = async () => {
  await stack.close();
  rmSync(home, { recursive: true, force: true });
  process.exit(0);
};
process.stdin.on('end', () => void stop());
process.stdin.resume();
process.on('SIGTERM', () => void stop());
