import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';

/** A stack running in a child process, seen from the load generator. */
export interface RemoteStack {
  serverUrl: string;
  supabaseUrl: string;
  anonKey: string;
  jwtSecret: string;
  databaseUrl: string;
  publicUrl: string;
  twilio: { accountSid: string; authToken: string };
  /** Bearer token of /api/metrics. */
  operatorToken: string;
  pid: number;
  db: pg.Pool;
  /** CPU time (ms) and RSS (MB) of the server process, from /proc. */
  usage(): { cpuMs: number; rssMb: number };
  /**
   * CPU time (ms) of the embedded PostgreSQL: every process under the server process but itself,
   * with the processes that have exited (their CPU is added to their parent's when it reaps them).
   */
  postgresCpuMs(): number;
  /** The live processes' CPU time, by PostgreSQL process kind (sessions, logical decoding, WAL writer, other). */
  postgresCpuByKind(): Record<PostgresProcessKind, number>;
  stop(): Promise<void>;
}

export type PostgresProcessKind = 'sessions' | 'logical decoding' | 'WAL writer' | 'other';

/** A PostgreSQL process's kind from its title (`postgres: walsender …`, `postgres: user db host(port) idle`). */
function kindOf(title: string): PostgresProcessKind {
  if (/^postgres: walsender/.test(title)) return 'logical decoding';
  if (/^postgres: walwriter/.test(title)) return 'WAL writer';
  if (
    /^postgres: (checkpointer|background writer|autovacuum|logical replication launcher|io worker|stats|archiver|walsummarizer)/.test(title) ||
    !title.startsWith('postgres: ')
  )
    return 'other';
  return 'sessions';
}

export async function startRemoteStack(): Promise<RemoteStack> {
  // BENCH_PROFILE=<dir>: the server process writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, '--import', 'tsx', resolve(import.meta.dirname, 'stack-process.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const info = await new Promise<Omit<RemoteStack, 'db' | 'usage' | 'stop'>>((ok, fail) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n').find((l) => l.startsWith('{'));
      if (line) ok(JSON.parse(line));
    });
    child.once('exit', (code) => fail(new Error(`stack process exited (${code})`)));
  });
  const db = new pg.Pool({ connectionString: info.databaseUrl, max: 16 });
  const ticks = 100; // USER_HZ on Linux
  // CPU of every process under the server process (the embedded PostgreSQL) by kind; `reaped`: that
  // of the processes under it that have exited (a session the server's pool closed when idle).
  const postgresCpu = (): { kinds: Record<PostgresProcessKind, number>; reaped: number } => {
    const procs = readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .flatMap((pid) => {
        try {
          const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
          const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
          const ms = (a: number, b: number) => ((Number(f[a]) + Number(f[b])) * 1000) / ticks;
          return [{ pid: Number(pid), ppid: Number(f[1]), title, cpuMs: ms(11, 12), reapedMs: ms(13, 14) }];
        } catch {
          return []; // gone meanwhile
        }
      });
    const under = new Set([info.pid]);
    const total: Record<PostgresProcessKind, number> = { sessions: 0, 'logical decoding': 0, 'WAL writer': 0, other: 0 };
    let reaped = 0;
    for (let grew = true; grew;) {
      grew = false;
      for (const p of procs)
        if (!under.has(p.pid) && under.has(p.ppid)) {
          under.add(p.pid);
          total[kindOf(p.title)] += p.cpuMs;
          reaped += p.reapedMs;
          grew = true;
        }
    }
    return { kinds: total, reaped };
  };
  return {
    ...info,
    db,
    usage: () => {
      const stat = readFileSync(`/proc/${info.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      const status = readFileSync(`/proc/${info.pid}/status`, 'utf8');
      const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return { cpuMs: ((Number(stat[11]) + Number(stat[12])) * 1000) / ticks, rssMb: Math.round(rss / 1024) };
    },
    postgresCpuMs: () => {
      const { kinds, reaped } = postgresCpu();
      return Object.values(kinds).reduce((a, b) => a + b, reaped);
    },
    postgresCpuByKind: () => postgresCpu().kinds,
    stop: async () => {
      await db.end();
      child.stdin!.end();
      await new Promise((r) => child.once('exit', r));
    },
  };
}
