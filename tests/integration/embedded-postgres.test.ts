import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { chooseDataDir, startEmbeddedPostgres } from '../../server/dev/embedded-postgres';
import { createLogger } from '../../server/logger';
import { freePort } from '../support/stack';

const log = createLogger('silent');
const postgresUser = () => {
  const uid = process.getuid?.();
  return uid === 0 ? { uid: 101, gid: 104 } : null;
};

describe('Embedded PostgreSQL', () => {
  it('survives an orphaned postmaster and stale postmaster.pid left by a killed run', async () => {
    const home = mkdtempSync(join(tmpdir(), 'switchboard-pg-'));
    const port = await freePort();
    // A first run in another process, killed with SIGKILL once PostgreSQL is up.
    const fixture = resolve(import.meta.dirname, '..', 'support', 'embedded-postgres-run.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, home, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((ok) => child.stdout.on('data', (d: Buffer) => d.toString().includes('up') && ok()));
    const dataDir = chooseDataDir(home, postgresUser());
    const orphanPid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    child.kill('SIGKILL');
    await new Promise((ok) => child.once('exit', ok));
    expect(() => process.kill(orphanPid, 0)).not.toThrow(); // the postmaster outlived its parent

    const db = await startEmbeddedPostgres({ home, port, password: 'pw', log });
    try {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
      expect(rows[0]!.pid).toBeGreaterThan(0);
      expect(Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])).not.toBe(orphanPid);
      await client.end();
    } finally {
      await db.stop();
      rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);

  it('starts after a first start stopped during initdb (a half-written data dir, a staging dir left behind)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'switchboard-pg-'));
    const dataDir = chooseDataDir(home, postgresUser());
    // What an interrupted initialisation leaves: files in the data dir without PG_VERSION, and a staging dir.
    for (const dir of [dataDir, `${dataDir}.initialising`]) {
      mkdirSync(join(dir, 'base'), { recursive: true });
      writeFileSync(join(dir, 'postgresql.conf'), '# half written');
    }
    const db = await startEmbeddedPostgres({ home, port: await freePort(), password: 'pw', log });
    try {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      expect((await client.query<{ one: number }>('select 1 as one')).rows[0]!.one).toBe(1);
      await client.end();
      expect(existsSync(`${dataDir}.initialising`)).toBe(false);
    } finally {
      await db.stop();
      rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);

  describe('from a template cluster (EMBEDDED_PG_TEMPLATE)', () => {
    const query = async (url: string, sql: string) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query(sql)).rows;
      } finally {
        await client.end();
      }
    };
    /** The cluster's identity, set by initdb: copies of one template share it. */
    const clusterId = async (url: string) => String((await query(url, 'select system_identifier from pg_control_system()'))[0].system_identifier);
    /** A logger whose warnings the test reads. */
    const warnings = () => {
      const said: string[] = [];
      return { said, log: pino({ level: 'warn' }, { write: (line: string) => void said.push(JSON.parse(line).msg) }) };
    };
    const folders: string[] = [];
    const folder = (prefix: string) => {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      chmodSync(dir, 0o755);
      folders.push(dir);
      return dir;
    };
    afterEach(() => {
      for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
    });

    it('copies it instead of initdb: each copy its own password and data, the template’s password refused', async () => {
      const template = folder('switchboard-pg-template-');
      const homes = [folder('switchboard-pg-'), folder('switchboard-pg-')];
      const { said, log: watched } = warnings();
      const dbs: Awaited<ReturnType<typeof startEmbeddedPostgres>>[] = [];
      try {
        // Two at once, as test files starting together: one template is kept, both copy it.
        dbs.push(
          ...(await Promise.all(
            homes.map(async (home, i) => startEmbeddedPostgres({ home, port: await freePort(), password: `pw-${i}`, log: watched, template })),
          )),
        );
        expect(said).toEqual([]);
        const made = readdirSync(template);
        expect(made).toHaveLength(1); // the template of this PostgreSQL build, nothing half-made left beside it
        // Copies, not two initdb runs: one cluster identity.
        expect(await clusterId(dbs[0]!.url)).toBe(await clusterId(dbs[1]!.url));
        const templatePassword = readFileSync(join(template, made[0]!, 'switchboard-template-password'), 'utf8');
        await query(dbs[0]!.url, 'create table only_in_the_first (x int)');
        expect(await query(dbs[1]!.url, "select to_regclass('only_in_the_first') as t")).toEqual([{ t: null }]);
        for (const db of dbs) {
          expect(existsSync(join(db.dataDir, 'switchboard-template-password'))).toBe(false);
          const withTemplatePassword = new URL(db.url);
          withTemplatePassword.password = templatePassword;
          await expect(query(withTemplatePassword.toString(), 'select 1')).rejects.toThrow(/password authentication failed/);
        }
      } finally {
        for (const db of dbs) await db.stop();
      }
    }, 60_000);

    it('a copy stopped before it took its own password takes it at the next start', async () => {
      const template = folder('switchboard-pg-template-');
      const home = folder('switchboard-pg-');
      const first = await startEmbeddedPostgres({ home, port: await freePort(), password: 'first', log, template });
      await first.stop();
      // As a start stopped between the copy and the password leaves it: the template's password file, that password in force.
      writeFileSync(join(first.dataDir, 'switchboard-template-password'), 'first');
      const again = await startEmbeddedPostgres({ home, port: await freePort(), password: 'second', log, template });
      try {
        expect(await query(again.url, 'select 1 as one')).toEqual([{ one: 1 }]);
        expect(existsSync(join(again.dataDir, 'switchboard-template-password'))).toBe(false);
      } finally {
        await again.stop();
      }
    }, 60_000);

    it('never copies from a folder others can write to (a cluster planted there runs its settings as us): initdb instead', async () => {
      const template = folder('switchboard-pg-template-');
      chmodSync(template, 0o777);
      const { said, log: watched } = warnings();
      const db = await startEmbeddedPostgres({ home: folder('switchboard-pg-'), port: await freePort(), password: 'pw', log: watched, template });
      try {
        expect(said).toEqual(['embedded PostgreSQL template not used; running initdb']);
        expect(readdirSync(template)).toEqual([]);
        expect(await query(db.url, 'select 1 as one')).toEqual([{ one: 1 }]);
      } finally {
        await db.stop();
      }
    }, 60_000);
  });

  it.runIf(process.getuid?.() === 0)('uses a temp data dir when the checkout is under a folder PostgreSQL’s user cannot enter', () => {
    const locked = mkdtempSync(join(tmpdir(), 'switchboard-locked-'));
    const home = join(locked, 'checkout', '.switchboard');
    mkdirSync(home, { recursive: true });
    chmodSync(locked, 0o700);
    try {
      const dir = chooseDataDir(home, postgresUser());
      expect(dir.startsWith(locked)).toBe(false);
      expect(dir.startsWith(tmpdir())).toBe(true);
      expect(chooseDataDir(home, postgresUser())).toBe(dir); // stable for the same checkout
      chmodSync(locked, 0o755);
      expect(chooseDataDir(home, postgresUser())).toBe(join(home, 'pgdata'));
    } finally {
      rmSync(locked, { recursive: true, force: true });
    }
  });
});
