import { createHmac, hkdfSync } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import { INLINE_IMAGE_TYPES } from '../../lib/contract/models';
import { messageMediaOf } from './repository';
import { contentDisposition, fileOf, sendFile, type UploadRouteDeps } from './uploads';
import { secretEquals } from '../auth/compare';
import { describeIssues, HttpError } from '../errors';
import { fetchTwilioMedia, MediaFetchError, twilioMediaUrl, type TwilioMediaSource } from './twilio-media';

const params = z.object({ message: z.uuid(), index: z.coerce.number().int().min(0).max(9) });

type MediaDeps = { db: pg.Pool; source: TwilioMediaSource; maxBytes: number; uploads: Pick<UploadRouteDeps, 'db' | 'storage'> };

/**
 * `GET /api/conversations/:id/messages/:message/media/:index`: a file of a message of the agent's
 * organisation. An agent's file sent by public URL is not proxied: that would make the server
 * fetch any URL.
 */
export function registerMediaRoutes(api: FastifyInstance, deps: MediaDeps & { conversationIdOf(req: FastifyRequest): string }): void {
  api.get('/api/conversations/:id/messages/:message/media/:index', async (req, reply) => {
    const p = params.safeParse(req.params);
    if (!p.success) throw new HttpError(400, 'bad_request', describeIssues(p.error));
    const organisationId = req.agent.organisationId;
    return sendMessageMedia(deps, reply, await messageMediaOf(deps.db, organisationId, deps.conversationIdOf(req), p.data.message, p.data.index), organisationId);
  });
}

/**
 * `GET /media/messages/:message/:index?signature=…`: a message's file for whoever holds the link
 * the CRM write-back puts on the CRM record (docs/crm.md): nobody there is signed in to
 * Switchboard. The signature names the message and the file; it works while the message is kept.
 */
export function registerSignedMessageMediaRoute(http: FastifyInstance, deps: MediaDeps & { signer: MessageMediaSigner }): void {
  http.get('/media/messages/:message/:index', async (req, reply) => {
    const p = params.safeParse(req.params);
    const signature = (req.query as { signature?: unknown }).signature;
    if (!p.success || typeof signature !== 'string' || !deps.signer.valid(p.data.message, p.data.index, signature)) throw new HttpError(403, 'forbidden', 'This link is not valid.');
    return sendMessageMedia(deps, reply, await messageMediaOf(deps.db, null, null, p.data.message, p.data.index), null);
  });
}

/** Signs links to messages' files (an HKDF key of its own). */
export function createMessageMediaSigner(secret: string) {
  const key = Buffer.from(hkdfSync('sha256', secret, 'switchboard', 'message media link v1', 32));
  const mac = (messageId: string, index: number) => createHmac('sha256', key).update(`${messageId}.${index}`).digest('base64url');
  return {
    path: (messageId: string, index: number) => `/media/messages/${messageId}/${index}?signature=${mac(messageId, index)}`,
    valid: (messageId: string, index: number, signature: string) => secretEquals(signature, mac(messageId, index)),
  };
}
export type MessageMediaSigner = ReturnType<typeof createMessageMediaSigner>;

/**
 * A customer's file, fetched from this account's Twilio media with the account's credentials
 * (which never leave the server), streamed and capped at `maxBytes`; or an agent's uploaded file,
 * from storage.
 */
async function sendMessageMedia(deps: MediaDeps, reply: FastifyReply, item: Awaited<ReturnType<typeof messageMediaOf>>, organisationId: string | null) {
  if (!item) throw new HttpError(404, 'not_found', 'no such media');
  if (item.kind === 'upload') {
    const file = await fileOf(deps.uploads, { id: item.uploadId, ...(organisationId && { organisationId }) });
    if (!file) throw new HttpError(404, 'media_unavailable', 'this file is no longer stored');
    return sendFile(reply, file, 'attachment');
  }
  if (!item.mediaSid) throw new HttpError(404, 'media_unavailable', 'this file did not come from this Twilio account and cannot be fetched');
  let media;
  try {
    media = await fetchTwilioMedia(deps.source, twilioMediaUrl(deps.source, item.messageSid, item.mediaSid), deps.maxBytes);
  } catch (err) {
    if (err instanceof MediaFetchError) throw new HttpError(err.code === 'media_too_large' ? 413 : 502, err.code, err.message);
    throw err;
  }
  const type = (media.contentType ?? item.contentType).split(';')[0]!.trim().toLowerCase();
  const inline = INLINE_IMAGE_TYPES.has(type);
  reply
    .header('content-type', inline ? type : 'application/octet-stream')
    .header('content-disposition', media.fileName ? contentDisposition(inline ? 'inline' : 'attachment', media.fileName) : inline ? 'inline' : 'attachment')
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "sandbox; default-src 'none'")
    .header('cache-control', 'private, max-age=3600');
  if (media.length !== null) reply.header('content-length', media.length);
  return reply.send(media.body);
}
