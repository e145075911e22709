import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type pg from 'pg';
import type { Logger } from '../logger';

const ROOT = resolve(import.meta.dirname, '..', '..');
export const MIGRATIONS_DIR = join(ROOT, 'supabase', 'migrations');
const LOCAL_BOOTSTRAP = join(ROOT, 'server', 'dev', 'local-supabase', 'bootstrap.sql');

/**
 * Creates on the local stack what hosted Supabase provides (roles, `auth`, the realtime
 * publication, the migrations table). Never run against hosted Supabase.
 */
export async function bootstrapLocalSupabase(db: pg.Pool): Promise<void> {
  await db.query(readFileSync(LOCAL_BOOTSTRAP, 'utf8'));
}

/**
 * Applies `supabase/migrations/*.sql` in order, each in its own transaction, recording them in
 * `supabase_migrations.schema_migrations` as the Supabase CLI does.
 */
export async function migrate(db: pg.Pool, log: Logger): Promise<string[]> {
  const client = await db.connect();
  const applied: string[] = [];
  try {
    await client.query('create schema if not exists supabase_migrations');
    await client.query('create table if not exists supabase_migrations.schema_migrations (version text primary key, statements text[], name text)');
    // One migrator at a time (several server instances may boot together).
    await client.query('select pg_advisory_lock(7150001)');
    const done = new Set((await client.query<{ version: string }>('select version from supabase_migrations.schema_migrations')).rows.map((r) => r.version));
    for (const file of readdirSync(MIGRATIONS_DIR)
      .filter((f) => /^\d+_.+\.sql$/.test(f))
      .sort()) {
      const [version, ...rest] = file.replace(/\.sql$/, '').split('_');
      if (done.has(version!)) continue;
      const sql = readFileSync(join(MIGRATIONS_DIR, file), 'utf8');
      await client.query('begin');
      try {
        await client.query(sql);
        await client.query('insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)', [
          version,
          rest.join('_'),
          [sql],
        ]);
        await client.query('commit');
      } catch (err) {
        await client.query('rollback');
        throw new Error(`Migration ${file} failed`, { cause: err });
      }
      applied.push(file);
      log.info({ migration: file }, 'applied migration');
    }
  } finally {
    await client.query('select pg_advisory_unlock(7150001)').catch(() => {});
    client.release();
  }
  return applied;
}
