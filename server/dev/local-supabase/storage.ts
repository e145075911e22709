import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidTokenError, type TokenVerifier } from '../../auth/jwt';

/**
 * The part of Supabase Storage's REST API that `@supabase/storage-js` uses for private buckets
 * (`/storage/v1`: get and create a bucket, upload, download and delete objects), kept on local disk. It
 * lets the local stack run with `UPLOADS_STORAGE=supabase`, so the server's Storage adapter is
 * exercised through the unmodified client. Only the service role may use it (as the server does).
 */
export async function registerLocalStorage(app: FastifyInstance, deps: { dir: string; verify: TokenVerifier }): Promise<void> {
  const root = resolve(deps.dir);
  const fail = (reply: FastifyReply, status: number, error: string, message: string) => reply.code(status).send({ statusCode: String(status), error, message });
  const pathOf = (bucket: string, key: string) => {
    const path = resolve(join(root, bucket, key));
    if (!path.startsWith(root + sep) || !/^[a-z0-9][a-z0-9._-]{2,62}$/.test(bucket)) return null;
    return path;
  };
  const serviceRole = async (req: FastifyRequest) => {
    const header = req.headers.authorization ?? '';
    try {
      return (await deps.verify(header.startsWith('Bearer ') ? header.slice(7) : '')).role === 'service_role';
    } catch (err) {
      if (err instanceof InvalidTokenError) return false;
      throw err;
    }
  };
  const bucketFile = (bucket: string) => join(root, '.buckets', `${bucket}.json`);

  await app.register(async (storage) => {
    storage.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 64 * 1024 * 1024 }, (_req, body, done) => done(null, body));
    // onRequest: decided before any of a (64 MB) body is read.
    storage.addHook('onRequest', async (req, reply) => {
      if (!(await serviceRole(req))) return fail(reply, 403, 'Unauthorized', 'Only the service role may use this storage');
    });

    storage.get('/storage/v1/bucket/:id', async (req, reply) => {
      const { id } = req.params as { id: string };
      try {
        return JSON.parse(await readFile(bucketFile(id), 'utf8'));
      } catch {
        return fail(reply, 404, 'Bucket not found', 'Bucket not found');
      }
    });

    storage.post('/storage/v1/bucket', async (req, reply) => {
      const body = JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : JSON.stringify(req.body ?? {})) as {
        id?: string;
        name?: string;
        public?: boolean;
      };
      const id = body.id ?? body.name ?? '';
      if (!pathOf(id, 'x')) return fail(reply, 400, 'Invalid', 'Invalid bucket name');
      const exists = await stat(bucketFile(id)).then(
        () => true,
        () => false,
      );
      if (exists) return fail(reply, 409, 'Duplicate', 'The resource already exists');
      await mkdir(join(root, '.buckets'), { recursive: true });
      const now = new Date().toISOString();
      await writeFile(bucketFile(id), JSON.stringify({ id, name: id, public: !!body.public, created_at: now, updated_at: now }));
      return { name: id };
    });

    storage.post('/storage/v1/object/:bucket/*', async (req, reply) => {
      const { bucket, '*': key } = req.params as { bucket: string; '*': string };
      const path = pathOf(bucket, key);
      if (!path) return fail(reply, 400, 'Invalid', 'Invalid key');
      if (
        !(await stat(bucketFile(bucket)).then(
          () => true,
          () => false,
        ))
      )
        return fail(reply, 404, 'Bucket not found', 'Bucket not found');
      const upsert = req.headers['x-upsert'] === 'true';
      if (
        !upsert &&
        (await stat(path).then(
          () => true,
          () => false,
        ))
      )
        return fail(reply, 409, 'Duplicate', 'The resource already exists');
      const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, bytes, { mode: 0o600 });
      await writeFile(`${path}.meta.json`, JSON.stringify({ contentType: req.headers['content-type'] ?? 'application/octet-stream' }));
      return { Key: `${bucket}/${key}`, Id: key };
    });

    // storage-js `remove(paths)`: the objects named in `prefixes`, answered with those that existed.
    storage.delete('/storage/v1/object/:bucket', async (req, reply) => {
      const { bucket } = req.params as { bucket: string };
      if (
        !(await stat(bucketFile(bucket)).then(
          () => true,
          () => false,
        ))
      )
        return fail(reply, 404, 'Bucket not found', 'Bucket not found');
      const body = JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : JSON.stringify(req.body ?? {})) as { prefixes?: unknown };
      if (!Array.isArray(body.prefixes) || !body.prefixes.every((p) => typeof p === 'string'))
        return fail(reply, 400, 'Invalid', 'prefixes must be a list of object names');
      const removed = [];
      for (const key of body.prefixes as string[]) {
        const path = pathOf(bucket, key);
        if (
          !path ||
          !(await stat(path).then(
            () => true,
            () => false,
          ))
        )
          continue;
        await rm(path, { force: true });
        await rm(`${path}.meta.json`, { force: true });
        removed.push({ name: key, bucket_id: bucket });
      }
      return removed;
    });

    storage.get('/storage/v1/object/:bucket/*', async (req, reply) => {
      const { bucket, '*': key } = req.params as { bucket: string; '*': string };
      const path = pathOf(bucket, key);
      const bytes = path ? await readFile(path).catch(() => null) : null;
      if (!bytes || path!.endsWith('.meta.json')) return fail(reply, 404, 'not_found', 'Object not found');
      const meta = JSON.parse(await readFile(`${path}.meta.json`, 'utf8').catch(() => '{}')) as { contentType?: string };
      return reply.type(meta.contentType ?? 'application/octet-stream').send(bytes);
    });
  });
}
