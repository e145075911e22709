import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fileTypeFromBuffer } from 'file-type';
import type pg from 'pg';
import { z } from 'zod';
import type { UploadTicket, UploadView } from '../../lib/contract/api';
import type { AgentProfile } from '../../lib/contract/models';
import { formatBytes, SENDABLE_TYPES, WHATSAPP_MESSAGE_MAX_BYTES } from '../../lib/contract/whatsapp';
import { uploadHeaders } from '../../lib/contract/schemas';
import { expiringLinks, expiringTokens, signerFor, type LinkCheck } from '../auth/signing';
import type { AgentRequestLimit } from '../auth/agent';
import { HttpError } from '../errors';
import { inTransaction } from '../inbox/repository';
import type { FileStorage } from './storage';

/**
 * Agents' files to send: uploaded to the server (not to a URL of the agent's choosing), checked by
 * their bytes, kept in the deployment's file storage, and handed to Twilio as a signed URL of the
 * server's that expires. See docs/whatsapp.md (Files from agents).
 */

/** A ticket is for one upload that starts within this time (the side panel asks for it just before). */
const UPLOAD_TICKET_TTL_MS = 5 * 60_000;

/**
 * Signs what only this deployment may issue for uploads: tickets (one upload each, by one agent
 * of one organisation, for a few minutes) and the links Twilio fetches an upload from (until
 * they expire). Both with the server's one signing module, each with its own purpose.
 */
export function createUploadSigner(secret: string) {
  const tickets = expiringTokens(signerFor(secret, 'upload ticket v2'));
  const media = expiringLinks(signerFor(secret, 'signed media url v2'));
  return {
    /** A ticket to upload one file as this agent (the side panel holds no token). */
    ticket(agent: Pick<AgentProfile, 'id' | 'organisationId'>, now = Date.now()): { ticket: string; expiresAt: string } {
      const exp = now + UPLOAD_TICKET_TTL_MS;
      return { ticket: tickets.issue([randomUUID(), agent.id, agent.organisationId], exp), expiresAt: new Date(exp).toISOString() };
    },
    /** What a ticket this server signed says, if it has not expired (whether it was spent is the database's to say). */
    openTicket(ticket: string, now = Date.now()): { ticketId: string; agentId: string; organisationId: string; expiresAt: Date } | null {
      const opened = tickets.open(ticket, 3, now);
      if (!opened) return null;
      const [ticketId, agentId, organisationId] = opened.fields as [string, string, string];
      return { ticketId, agentId, organisationId, expiresAt: new Date(opened.expires) };
    },
    /** The query string of a media URL that works until `expires` (ms). */
    mediaQuery: (uploadId: string, expires: number): string => media.query(`upload ${uploadId}`, expires),
    mediaValid: (uploadId: string, expires: unknown, signature: unknown, now = Date.now()): LinkCheck =>
      media.check(`upload ${uploadId}`, expires, signature, now),
  };
}
export type UploadSigner = ReturnType<typeof createUploadSigner>;

// What `file-type` reports for formats WhatsApp names differently.
const SNIFFED_ALIASES: Record<string, string> = {
  'audio/x-m4a': 'audio/mp4',
  'audio/opus': 'audio/ogg',
  'video/3gpp': 'video/3gpp',
  'audio/amr-wb': 'audio/amr',
};
// Office's old binary formats are all one container (CFB): its declared type says which it is.
const CFB_TYPES = new Set(['application/msword']);

/**
 * The file's real type, from its bytes, when WhatsApp can carry it; else why not. The declared
 * type (the browser's guess from the name) only decides between formats the bytes cannot tell
 * apart; a file whose bytes say something else than its name is refused.
 */
export async function sniffSendable(
  bytes: Buffer,
  declared: string,
  name: string,
): Promise<{ ok: true; contentType: string } | { ok: false; message: string }> {
  const found = await fileTypeFromBuffer(bytes);
  const mime = found?.mime.split(';')[0]!.trim();
  let type: string | null = mime ? (SNIFFED_ALIASES[mime] ?? mime) : null;
  if (found?.mime === 'application/x-cfb' && CFB_TYPES.has(declared)) type = declared;
  // 3GP audio and video share a container: the declared kind decides.
  if (type === 'video/3gpp' && declared === 'audio/3gpp') type = 'audio/3gpp';
  if (!type && declared === 'text/vcard' && /^\s*BEGIN:VCARD/i.test(bytes.subarray(0, 64).toString('utf8'))) type = 'text/vcard';
  if (!type)
    return { ok: false, message: `${name}: its contents are not a file WhatsApp can carry (images, audio, MP4 video, PDF, Office documents, contact cards).` };
  const rule = SENDABLE_TYPES[type];
  if (!rule) return { ok: false, message: `${name}: its contents are ${found?.ext?.toUpperCase() ?? type}, which WhatsApp cannot carry.` };
  const declaredRule = SENDABLE_TYPES[declared];
  if (declared && declared !== type && declaredRule?.kind !== rule.kind) {
    return {
      ok: false,
      message: `${name} is named as a ${declaredRule?.label ?? declared} but its contents are a ${rule.label}: rename it or send the right file.`,
    };
  }
  if (bytes.length > rule.maxBytes)
    return { ok: false, message: `${name} is ${formatBytes(bytes.length)}: WhatsApp takes a ${rule.label} of up to ${formatBytes(rule.maxBytes)}.` };
  return { ok: true, contentType: type };
}

/** A file name safe to store and to put in a Content-Disposition header. */
function cleanName(raw: string): string {
  let name = raw;
  try {
    name = decodeURIComponent(raw);
  } catch {
    /* kept as sent */
  }
  // Control characters, quotes and slashes become `_`.
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  const unsafe = /[\u0000-\u001f\u007f"\\/]/g;
  name = name.replace(unsafe, '_').trim().slice(0, 200);
  return name || 'file';
}

export interface UploadRouteDeps {
  db: pg.Pool;
  storage: FileStorage;
  signer: UploadSigner;
  publicUrl: () => string;
  signedMediaTtlSeconds: number;
  /** The agents' request budget (the API's own): an upload is one request of the agent's. */
  agentLimit: AgentRequestLimit;
}

/** `POST /api/uploads/tickets` (signed-in agents): where the side panel may upload one file, for a few minutes. */
export function registerUploadTicketRoute(api: FastifyInstance, deps: UploadRouteDeps): void {
  api.post('/api/uploads/tickets', async (req): Promise<UploadTicket> => {
    const { ticket, expiresAt } = deps.signer.ticket(req.agent);
    return { url: `${deps.publicUrl()}/api/uploads?ticket=${encodeURIComponent(ticket)}`, expiresAt };
  });
}

type Ticket = NonNullable<ReturnType<UploadSigner['openTicket']>>;

/**
 * Who may send an upload's body, decided before any of it is read: a ticket this server signed,
 * not expired, never used before (spent now, whatever the upload's outcome), of an agent who still
 * is one, within that agent's request budget. A forged or replayed ticket costs one HMAC (and one
 * insert), not 16 MB of memory.
 */
async function admitUpload(deps: UploadRouteDeps, raw: unknown, reply: FastifyReply): Promise<Ticket> {
  const ticket = typeof raw === 'string' ? deps.signer.openTicket(raw) : null;
  if (!ticket) throw new HttpError(401, 'invalid_ticket', 'This upload link has expired: try again.');
  const agent = (await deps.db.query('select 1 from agents where id = $1 and organisation_id = $2', [ticket.agentId, ticket.organisationId])).rowCount;
  if (!agent) throw new HttpError(403, 'not_an_agent', 'You are no longer an agent of this organisation.');
  // Spent before the budget is asked: a replayed ticket costs its agent nothing (whoever saw the
  // link could otherwise keep the agent's API at 429), and one refused by the budget is spent too.
  const spent = await deps.db.query('insert into upload_tickets_spent (id, expires_at) values ($1, $2) on conflict (id) do nothing', [
    ticket.ticketId,
    ticket.expiresAt,
  ]);
  if (!spent.rowCount) throw new HttpError(401, 'ticket_used', 'This upload link was already used: try again.');
  await deps.agentLimit(ticket.agentId, reply);
  return ticket;
}

/**
 * The upload itself (`POST /api/uploads?ticket=…`, the file's bytes as the body, its name and the
 * browser's type in headers) and the signed URL Twilio fetches (`GET`/`HEAD /media/uploads/:id`).
 */
export function registerUploadRoutes(http: FastifyInstance, deps: UploadRouteDeps): void {
  // The parser serves every route of this instance: its limit stays the server's own (256 KB), and
  // only the upload route, whose ticket is checked first, takes 16 MB (its route `bodyLimit`). With
  // the upload's limit here, any public route would read 16 MB of octet-stream before its checks.
  http.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const admitted = new WeakMap<FastifyRequest, Ticket>();
  http.post('/api/uploads', {
    bodyLimit: WHATSAPP_MESSAGE_MAX_BYTES + 1,
    // onRequest runs before Fastify reads the body.
    onRequest: async (req, reply) => {
      admitted.set(req, await admitUpload(deps, (req.query as { ticket?: unknown }).ticket, reply));
    },
    handler: async (req, reply): Promise<UploadView> => {
      const ticket = admitted.get(req)!;
      const headers = uploadHeaders.safeParse(req.headers);
      if (!headers.success) throw new HttpError(400, 'bad_request', 'X-File-Name is required');
      const bytes = req.body;
      if (!Buffer.isBuffer(bytes) || bytes.length === 0) throw new HttpError(400, 'bad_request', 'send the file’s bytes as an application/octet-stream body');
      const name = cleanName(headers.data['x-file-name']);
      const sniffed = await sniffSendable(bytes, headers.data['x-file-type'], name);
      if (!sniffed.ok) throw new HttpError(415, 'unsupported_file', sniffed.message);
      const id = randomUUID();
      const key = `${ticket.organisationId}/${id}`;
      await deps.storage.put(key, bytes, sniffed.contentType);
      try {
        await deps.db.query(
          'insert into uploads (id, organisation_id, agent_id, storage_key, content_type, size_bytes, file_name, sha256) values ($1, $2, $3, $4, $5, $6, $7, $8)',
          [id, ticket.organisationId, ticket.agentId, key, sniffed.contentType, bytes.length, name, createHash('sha256').update(bytes).digest('hex')],
        );
      } catch (err) {
        // A file without its row is one the sweeper never finds (the agent removed meanwhile, the database away).
        await deps.storage.remove([key]).catch(() => {});
        throw err;
      }
      reply.code(201);
      return { id, contentType: sniffed.contentType, size: bytes.length, name };
    },
  });

  // What Twilio fetches (GET, and HEAD to check the type): a valid signature until it expires.
  http.route({
    method: ['GET', 'HEAD'],
    url: '/media/uploads/:id',
    handler: async (req, reply) => {
      const id = z.uuid().safeParse((req.params as { id: string }).id);
      const q = req.query as { expires?: unknown; signature?: unknown };
      const valid = id.success ? deps.signer.mediaValid(id.data, q.expires, q.signature) : 'invalid';
      if (valid !== 'ok')
        return reply
          .code(403)
          .type('text/plain')
          .send(valid === 'expired' ? 'This link has expired.' : 'Forbidden');
      const file = await fileOf(deps, { id: id.data! });
      if (!file) return reply.code(404).type('text/plain').send('Not found');
      return sendFile(reply, file, 'inline');
    },
  });
}

export interface StoredUpload {
  contentType: string;
  name: string;
  bytes: Buffer;
}

/** An upload's bytes, found by id (and organisation, when an agent asks). */
export async function fileOf(deps: Pick<UploadRouteDeps, 'db' | 'storage'>, which: { id: string; organisationId?: string }): Promise<StoredUpload | null> {
  const { rows } = await deps.db.query<{ storage_key: string; content_type: string; file_name: string }>(
    'select storage_key, content_type, file_name from uploads where id = $1 and ($2::uuid is null or organisation_id = $2)',
    [which.id, which.organisationId ?? null],
  );
  if (!rows[0]) return null;
  const bytes = await deps.storage.get(rows[0].storage_key);
  return bytes && { contentType: rows[0].content_type, name: rows[0].file_name, bytes };
}

/** A Content-Disposition header naming the file (an ASCII fallback, and the exact name as `filename*`). */
export function contentDisposition(disposition: 'inline' | 'attachment', name: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  const clean = name.replace(/[\u0000-\u001f\u007f"\\/]/g, '_');
  return `${disposition}; filename="${clean.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(clean)}`;
}

/** A stored file as an answer: its own type (checked at upload), its name, never sniffed by a browser. */
export function sendFile(reply: import('fastify').FastifyReply, file: StoredUpload, disposition: 'inline' | 'attachment') {
  return reply
    .header('content-type', file.contentType)
    .header('content-length', file.bytes.length)
    .header('content-disposition', contentDisposition(disposition, file.name))
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "sandbox; default-src 'none'")
    .header('cache-control', 'private, max-age=300')
    .send(file.bytes);
}

/** The URL Twilio fetches an upload from, valid for the configured time from now. */
export function signedMediaUrl(deps: Pick<UploadRouteDeps, 'signer' | 'publicUrl' | 'signedMediaTtlSeconds'>, uploadId: string, now = Date.now()): string {
  return `${deps.publicUrl()}/media/uploads/${uploadId}?${deps.signer.mediaQuery(uploadId, now + deps.signedMediaTtlSeconds * 1000)}`;
}

/**
 * Deletes uploads no message sent within `olderThanMs` of their upload (the file, then its row),
 * and forgets spent tickets that have expired anyway. Rows are taken with `skip locked`: a reply
 * claiming an upload (it sets `sent_at` first) and several instances sweeping never collide. A
 * file storage error leaves the rows for the next sweep. Answers how many uploads went.
 */
export async function sweepUnsentUploads(deps: Pick<UploadRouteDeps, 'db' | 'storage'>, olderThanMs: number, batch = 200): Promise<number> {
  await deps.db.query('delete from upload_tickets_spent where expires_at < now()');
  return inTransaction(deps.db, 'begin', async (c) => {
    const { rows } = await c.query<{ id: string; storage_key: string }>(
      `select id, storage_key from uploads
        where sent_at is null and created_at < now() - make_interval(secs => $1::float8 / 1000)
        order by created_at limit $2 for update skip locked`,
      [olderThanMs, batch],
    );
    if (!rows.length) return 0;
    await deps.storage.remove(rows.map((r) => r.storage_key));
    await c.query('delete from uploads where id = any($1::uuid[])', [rows.map((r) => r.id)]);
    return rows.length;
  });
}

/** Sweeps unsent uploads every `everyMs` (each instance; they share the work through row locks). */
export function startUploadSweeper(deps: Pick<UploadRouteDeps, 'db' | 'storage'> & { everyMs: number; unsentTtlMs: number; onError(err: unknown): void }): {
  stop(): Promise<void>;
} {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = sweepUnsentUploads(deps, deps.unsentTtlMs).catch(deps.onError);
  }, deps.everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
