import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';

/** What the Supabase CLI needs for `supabase link` and `supabase db push` (docs/deploy.md). */
describe('The Supabase CLI project', () => {
  const dir = resolve(import.meta.dirname, '..', '..', 'supabase');

  it('has a config.toml the CLI can read: a project id, the database major version, no seed', () => {
    const config = parse(readFileSync(join(dir, 'config.toml'), 'utf8')) as {
      project_id: string;
      db: { major_version: number; migrations: { enabled: boolean }; seed: { enabled: boolean } };
    };
    expect(config.project_id).toMatch(/^[a-z0-9-]+$/);
    expect([15, 17]).toContain(config.db.major_version); // the majors hosted Supabase runs
    expect(config.db.migrations.enabled).toBe(true);
    expect(config.db.seed.enabled).toBe(false);
  });

  it('names every migration as the CLI orders them: a 14-digit version, then a name', () => {
    const files = readdirSync(join(dir, 'migrations'));
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((f) => !/^\d{14}_[a-z0-9_]+\.sql$/.test(f))).toEqual([]);
    const versions = files.map((f) => f.slice(0, 14));
    expect(new Set(versions).size).toBe(versions.length);
  });
});
