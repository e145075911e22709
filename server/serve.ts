import { loadDotEnv, parseEnv, type Env } from './config';
import { createLogger, type Logger } from './logger';
import type { Stack } from './stack';

/** Boots a stack from the validated environment and stops it gracefully on SIGINT/SIGTERM. */
export function serve(start: (env: Env, log: Logger) => Promise<Stack>): void {
  const main = async () => {
    loadDotEnv();
    const env = parseEnv(process.env);
    const log = createLogger(env.LOG_LEVEL);
    const stack = await start(env, log);
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      await stack.close();
      process.exit(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
  };
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    if (err instanceof Error && err.cause) console.error('cause:', err.cause);
    process.exit(1);
  });
}
