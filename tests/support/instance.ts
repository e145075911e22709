import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { freePort, type TestStack } from './stack';

export interface ServerInstance {
  url: string;
  /** Ends the process as a crash would: no shutdown, sockets cut by the kernel. */
  kill(): Promise<void>;
  /** A graceful stop (SIGTERM): resolves with the process's exit code (0: it stopped cleanly; null: it ended by a signal). */
  stop(): Promise<number | null>;
  /**
   * Freezes the process (SIGSTOP) or lets it go on (SIGCONT): its connections stay open and the
   * kernel still accepts new ones, but nothing answers, as a hung server's would not.
   */
  freeze(frozen: boolean): void;
}

/**
 * Another Switchboard server process against the same PostgreSQL, Auth and Redis as `stack`,
 * configured the way a production instance is (hosted mode: DATABASE_URL + SUPABASE_URL).
 */
/** What an instance needs of a stack: where it lives and what it connects to. */
export type InstanceTarget = Pick<TestStack, 'home'> & {
  config: Pick<TestStack['config'], 'publicUrl' | 'databaseUrl' | 'supabaseUrl' | 'supabaseAnonKey' | 'jwtSecret' | 'twilio' | 'twilioApiBaseUrl'>;
};

export async function startInstance(
  stack: InstanceTarget,
  env: Record<string, string>,
  /** `built`: the production build (`npm run build:server`, plain Node, no tsx). */
  opts: { readyWithinMs?: number; from?: 'source' | 'built' } = {},
): Promise<ServerInstance> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const root = resolve(import.meta.dirname, '..', '..');
  const args =
    opts.from === 'built' ? ['--enable-source-maps', resolve(root, 'dist', 'server', 'main.js')] : ['--import', 'tsx', resolve(root, 'server', 'main.ts')];
  const proc: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: stack.config.publicUrl,
      DATABASE_URL: stack.config.databaseUrl,
      SUPABASE_URL: stack.config.supabaseUrl,
      SUPABASE_ANON_KEY: stack.config.supabaseAnonKey,
      SUPABASE_JWT_SECRET: stack.config.jwtSecret!,
      TWILIO_ACCOUNT_SID: stack.config.twilio.accountSid,
      TWILIO_AUTH_TOKEN: stack.config.twilio.authToken,
      ...(stack.config.twilioApiBaseUrl ? { TWILIO_API_BASE_URL: stack.config.twilioApiBaseUrl } : {}),
      SWITCHBOARD_HOME: stack.home,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const readyWithinMs = opts.readyWithinMs ?? 30_000;
  const until = Date.now() + readyWithinMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`the server instance exited with ${proc.exitCode}`);
    const ok = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > until) {
      proc.kill('SIGKILL'); // never leave a half-started server behind
      throw new Error(`the server instance did not become healthy in ${readyWithinMs / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const ended = (signal: NodeJS.Signals) =>
    new Promise<number | null>((done) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return done(proc.exitCode);
      proc.once('exit', (code) => done(code));
      proc.kill(signal);
    });
  return {
    url,
    kill: async () => void (await ended('SIGKILL')),
    stop: () => ended('SIGTERM'),
    freeze: (frozen) => void proc.kill(frozen ? 'SIGSTOP' : 'SIGCONT'),
  };
}
