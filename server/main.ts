import { loadDotEnv, parseEnv } from './config';
import { createLogger } from './logger';
import { startStack } from './stack';

/** `npm run server`: boot from validated env, stop gracefully on SIGINT/SIGTERM. */
async function main() {
  loadDotEnv();
  const env = parseEnv(process.env);
  const log = createLogger(env.LOG_LEVEL);
  const stack = await startStack(env, log);
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
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  if (err instanceof Error && err.cause) console.error('cause:', err.cause);
  process.exit(1);
});
