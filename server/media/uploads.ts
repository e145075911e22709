import { createHash, createHmac, hkdfSync, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { fileTypeFromBuffer } from 'file-type';
import type pg from 'pg';
import { z } from 'zod';
import type { UploadTicket, UploadView } from '../../lib/contract/api';
import type { AgentProfile } from '../../lib/contract/models';
import { formatBytes, SENDABLE_TYPES, WHATSAPP_MESSAGE_MAX_BYTES } from '../../lib/contract/whatsapp';
import { secretEquals } from '../auth/compare';
import { HttpError } from '../errors';
import type { FileStorage } from './storage';

/**
 * Agents' files to send: uploaded to the server (not to a URL of the agent's choosing), checked by
 * their bytes, kept in the deployment's file storage, and handed to Twilio as a signed URL of the
 * server's that expires. See docs/whatsapp.md (Files from agents).
 */

const UPLOAD_TICKET_TTL_MS = 10 * 60_000;

/** Signs what only this deployment may issue: upload tickets and Twilio's media URLs (HKDF keys, own labels). */
export function createUploadSigner(secret: string) {
  const key = (label: string) => Buffer.from(hkdfSync('sha256', secret, 'switchboard', label, 32));
  const ticketKey = key('upload ticket v1');
  const mediaKey = key('signed media url v1');
  const mac = (k: Buffer, text: string) => createHmac('sha256', k).update(text).digest('base64url');
  return {
    /** A ticket to upload one file as this agent, for a few minutes (the side panel holds no token). */
    ticket(agent: Pick<AgentProfile, 'id' | 'organisationId'>, now = Date.now()): { ticket: string; expiresAt: string } {
      const exp = now + UPLOAD_TICKET_TTL_MS;
      const body = `${agent.id}.${agent.organisationId}.${exp}`;
      return { ticket: `${body}.${mac(ticketKey, body)}`, expiresAt: new Date(exp).toISOString() };
    },
    openTicket(ticket: string, now = Date.now()): { agentId: string; organisationId: string } | null {
      const parts = ticket.split('.');
      if (parts.length !== 4) return null;
      const [agentId, organisationId, exp, sig] = parts as [string, string, string, string];
      if (!secretEquals(sig, mac(ticketKey, `${agentId}.${organisationId}.${exp}`)) || Number(exp) < now) return null;
      return { agentId, organisationId };
    },
    /** The query string of a media URL that works until `expires` (ms). */
    mediaQuery(uploadId: string, expires: number): string {
      return `expires=${expires}&signature=${mac(mediaKey, `${uploadId}.${expires}`)}`;
    },
    mediaValid(uploadId: string, expires: string | undefined, signature: string | undefined, now = Date.now()): 'ok' | 'expired' | 'invalid' {
      if (!expires || !signature || !/^\d{1,15}$/.test(expires)) return 'invalid';
      if (!secretEquals(signature, mac(mediaKey, `${uploadId}.${expires}`))) return 'invalid';
      return Number(expires) < now ? 'expired' : 'ok';
    },
  };
}
export type UploadSigner = ReturnType<typeof createUploadSigner>;

// What `file-type` reports for formats WhatsApp names differently.
const SNIFFED_ALIASES: Record<string, string> = { 'audio/x-m4a': 'audio/mp4', 'audio/opus': 'audio/ogg', 'video/3gpp': 'video/3gpp', 'audio/amr-wb': 'audio/amr' };
// Office's old binary formats are all one container (CFB): its declared type says which it is.
const CFB_TYPES = new Set(['application/msword']);

/**
 * The file's real type, from its bytes, when WhatsApp can carry it; else why not. The declared
 * type (the browser's guess from the name) only decides between formats the bytes cannot tell
 * apart; a file whose bytes say something else than its name is refused.
 */
export async function sniffSendable(bytes: Buffer, declared: string, name: string): Promise<{ ok: true; contentType: string } | { ok: false; message: string }> {
  const found = await fileTypeFromBuffer(bytes);
  const mime = found?.mime.split(';')[0]!.trim();
  let type: string | null = mime ? (SNIFFED_ALIASES[mime] ?? mime) : null;
  if (found?.mime === 'application/x-cfb' && CFB_TYPES.has(declared)) type = declared;
  // 3GP audio and video share a container: the declared kind decides.
  if (type === 'video/3gpp' && declared === 'audio/3gpp') type = 'audio/3gpp';
  if (!type && declared === 'text/vcard' && /^\s*BEGIN:VCARD/i.test(bytes.subarray(0, 64).toString('utf8'))) type = 'text/vcard';
  if (!type) return { ok: false, message: `${name}: its contents are not a file WhatsApp can carry (images, audio, MP4 video, PDF, Office documents, contact cards).` };
  const rule = SENDABLE_TYPES[type];
  if (!rule) return { ok: false, message: `${name}: its contents are ${found?.ext?.toUpperCase() ?? type}, which WhatsApp cannot carry.` };
  const declaredRule = SENDABLE_TYPES[declared];
  if (declared && declared !== type && declaredRule?.kind !== rule.kind) {
    return { ok: false, message: `${name} is named as a ${declaredRule?.label ?? declared} but its contents are a ${rule.label}: rename it or send the right file.` };
  }
  if (bytes.length > rule.maxBytes) return { ok: false, message: `${name} is ${formatBytes(bytes.length)}: WhatsApp takes a ${rule.label} of up to ${formatBytes(rule.maxBytes)}.` };
  return { ok: true, contentType: type };
}

const uploadHeaders = z.object({
  'x-file-name': z.string().min(1).max(1024),
  'x-file-type': z.string().max(255).default(''),
});

/** A file name safe to store and to put in a Content-Disposition header. */
function cleanName(raw: string): string {
  let name = raw;
  try {
    name = decodeURIComponent(raw);
  } catch {
    /* kept as sent */
  }
  name = name.replace(/[\u0000-\u001f\u007f"\\/]/g, '_').trim().slice(0, 200);
  return name || 'file';
}

export interface UploadRouteDeps {
  db: pg.Pool;
  storage: FileStorage;
  signer: UploadSigner;
  publicUrl: () => string;
  signedMediaTtlSeconds: number;
}

/** `POST /api/uploads/tickets` (signed-in agents): where the side panel may upload one file, for a few minutes. */
export function registerUploadTicketRoute(api: FastifyInstance, deps: UploadRouteDeps): void {
  api.post('/api/uploads/tickets', async (req): Promise<UploadTicket> => {
    const { ticket, expiresAt } = deps.signer.ticket(req.agent);
    return { url: `${deps.publicUrl()}/api/uploads?ticket=${encodeURIComponent(ticket)}`, expiresAt };
  });
}

/**
 * The upload itself (`POST /api/uploads?ticket=…`, the file's bytes as the body, its name and the
 * browser's type in headers) and the signed URL Twilio fetches (`GET`/`HEAD /media/uploads/:id`).
 */
export function registerUploadRoutes(http: FastifyInstance, deps: UploadRouteDeps): void {
  http.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: WHATSAPP_MESSAGE_MAX_BYTES + 1 }, (_req, body, done) => done(null, body));

  http.post('/api/uploads', { bodyLimit: WHATSAPP_MESSAGE_MAX_BYTES + 1 }, async (req, reply): Promise<UploadView> => {
    const ticket = typeof (req.query as { ticket?: unknown }).ticket === 'string' ? deps.signer.openTicket((req.query as { ticket: string }).ticket) : null;
    if (!ticket) throw new HttpError(401, 'invalid_ticket', 'This upload link has expired: try again.');
    const agent = (await deps.db.query('select 1 from agents where id = $1 and organisation_id = $2', [ticket.agentId, ticket.organisationId])).rowCount;
    if (!agent) throw new HttpError(403, 'not_an_agent', 'You are no longer an agent of this organisation.');
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
    await deps.db.query(
      'insert into uploads (id, organisation_id, agent_id, storage_key, content_type, size_bytes, file_name, sha256) values ($1, $2, $3, $4, $5, $6, $7, $8)',
      [id, ticket.organisationId, ticket.agentId, key, sniffed.contentType, bytes.length, name, createHash('sha256').update(bytes).digest('hex')],
    );
    reply.code(201);
    return { id, contentType: sniffed.contentType, size: bytes.length, name };
  });

  // What Twilio fetches (GET, and HEAD to check the type): a valid signature until it expires.
  http.route({
    method: ['GET', 'HEAD'],
    url: '/media/uploads/:id',
    handler: async (req, reply) => {
      const id = z.uuid().safeParse((req.params as { id: string }).id);
      const q = req.query as { expires?: string; signature?: string };
      const valid = id.success ? deps.signer.mediaValid(id.data, q.expires, q.signature) : 'invalid';
      if (valid !== 'ok') return reply.code(403).type('text/plain').send(valid === 'expired' ? 'This link has expired.' : 'Forbidden');
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
