import { StorageClient } from '@supabase/storage-js';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';

/**
 * Where agents' uploaded files are kept: local disk (the embedded stack, one machine), or a
 * Supabase Storage bucket (hosted Supabase; every server instance sees the same files). Keys are
 * the server's own (`<organisation>/<upload id>`), never a client's.
 */
export interface FileStorage {
  readonly kind: 'disk' | 'supabase';
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /** The file's bytes, or null if there is none under this key. */
  get(key: string): Promise<Buffer | null>;
  /** Deletes these files (a key with no file is no error). */
  remove(keys: string[]): Promise<void>;
}

export function createDiskStorage(dir: string): FileStorage {
  const root = resolve(dir);
  const pathOf = (key: string) => {
    const path = resolve(join(root, key));
    if (!path.startsWith(root + sep)) throw new Error(`storage key escapes the uploads directory: ${key}`);
    return path;
  };
  return {
    kind: 'disk',
    async put(key, bytes) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, bytes, { mode: 0o600 });
    },
    async get(key) {
      try {
        return await readFile(pathOf(key));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    async remove(keys) {
      await Promise.all(keys.map((key) => rm(pathOf(key), { force: true })));
    },
  };
}

/**
 * A private Supabase Storage bucket through `@supabase/storage-js`, with the service-role key (the
 * bucket is created on first use if missing; it is never public: Twilio gets the server's signed URLs).
 */
export function createSupabaseStorage(opts: { supabaseUrl: string; serviceRoleKey: string; bucket: string; fetch?: typeof fetch }): FileStorage {
  const client = new StorageClient(
    `${opts.supabaseUrl}/storage/v1`,
    { apikey: opts.serviceRoleKey, authorization: `Bearer ${opts.serviceRoleKey}` },
    opts.fetch,
  );
  let bucketReady: Promise<void> | null = null;
  const ensureBucket = () =>
    (bucketReady ??= (async () => {
      const { error } = await client.getBucket(opts.bucket);
      if (!error) return;
      const created = await client.createBucket(opts.bucket, { public: false });
      if (created.error && !/already exists/i.test(created.error.message))
        throw new Error(`could not create the storage bucket ${opts.bucket}: ${created.error.message}`);
    })().catch((err) => {
      bucketReady = null;
      throw err;
    }));
  return {
    kind: 'supabase',
    async put(key, bytes, contentType) {
      await ensureBucket();
      const { error } = await client.from(opts.bucket).upload(key, bytes, { contentType, upsert: false });
      if (error) throw new Error(`could not store ${key} in Supabase Storage: ${error.message}`);
    },
    async get(key) {
      await ensureBucket();
      const { data, error } = await client.from(opts.bucket).download(key);
      if (error) {
        if ((error as { status?: number; statusCode?: string }).statusCode === '404' || /not found/i.test(error.message)) return null;
        throw new Error(`could not read ${key} from Supabase Storage: ${error.message}`);
      }
      return Buffer.from(await data.arrayBuffer());
    },
    async remove(keys) {
      if (!keys.length) return;
      await ensureBucket();
      const { error } = await client.from(opts.bucket).remove(keys);
      if (error) throw new Error(`could not delete ${keys.length} file(s) from Supabase Storage: ${error.message}`);
    },
  };
}
