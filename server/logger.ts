import { pino, type Logger } from 'pino';

/** The root logger; modules take a child with their own `name`. */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service: 'switchboard' } });
}
export type { Logger };
