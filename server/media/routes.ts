import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { MediaLink } from '../../lib/contract/api';
import { messageMediaParams } from '../../lib/contract/schemas';
import { INLINE_IMAGE_TYPES } from '../../lib/contract/models';
import { messageMediaOf } from './repository';
import { contentDisposition, fileOf, sendFile, type UploadRouteDeps } from './uploads';
import { expiringLinks, signerFor } from '../auth/signing';
import { describeIssues, HttpError } from '../errors';
import { fetchTwilioMedia, MediaFetchError, twilioMediaUrl, type TwilioMediaSource } from './twilio-media';

type MediaDeps = { db: pg.Pool; source: TwilioMediaSource; maxBytes: number; uploads: Pick<UploadRouteDeps, 'db' | 'storage'> };

/**
 * `GET /api/conversations/:id/messages/:message/media/:index`: a file of a message of the agent's
 * organisation. An agent's file sent by public URL is not proxied: that would make the server
 * fetch any URL.
 */
export function registerMediaRoutes(api: FastifyInstance, deps: MediaDeps & { conversationIdOf(req: FastifyRequest): string }): void {
  api.get('/api/conversations/:id/messages/:message/media/:index', async (req, reply) => {
    const p = messageMediaParams.safeParse(req.params);
    if (!p.success) throw new HttpError(400, 'bad_request', describeIssues(p.error));
    const organisationId = req.agent.organisationId;
    return sendMessageMedia(
      deps,
      reply,
      await messageMediaOf(deps.db, organisationId, deps.conversationIdOf(req), p.data.message, p.data.index),
      organisationId,
    );
  });
}

/**
 * `GET /media/messages/:message/:index?expires=…&signature=…`: a message's file for whoever holds
 * the link the CRM write-back puts on the CRM record (docs/crm.md): nobody there is signed in to
 * Switchboard. The signature names the message, the file and when the link stops working
 * (`CRM_MEDIA_LINK_DAYS`); an expired link answers 410 with a page saying how to get a new one.
 */
export function registerSignedMessageMediaRoute(http: FastifyInstance, deps: MediaDeps & { signer: MessageMediaSigner }): void {
  http.get('/media/messages/:message/:index', async (req, reply) => {
    const p = messageMediaParams.safeParse(req.params);
    const q = req.query as { expires?: unknown; signature?: unknown };
    // A link of the old, eternal form (a signature, no expiry) has expired too: its page says so.
    const valid = !p.success
      ? 'invalid'
      : q.expires === undefined && typeof q.signature === 'string'
        ? 'expired'
        : deps.signer.check(p.data.message, p.data.index, q.expires, q.signature);
    if (valid === 'expired') {
      return reply
        .code(410)
        .type('text/html; charset=utf-8')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
        .header('referrer-policy', 'no-referrer')
        .send(EXPIRED_PAGE);
    }
    if (valid !== 'ok') throw new HttpError(403, 'forbidden', 'This link is not valid.');
    return sendMessageMedia(deps, reply, await messageMediaOf(deps.db, null, null, p.data!.message, p.data!.index), null);
  });
}

const EXPIRED_PAGE = `<!doctype html><meta charset="utf-8"><title>This link has expired</title>
<body style="font:16px/1.5 system-ui,sans-serif;margin:3em;max-width:36em"><h1>This link has expired</h1>
<p>Links to WhatsApp files on CRM records work for a limited time. Open the conversation in Switchboard (the side panel) to see the file.</p>`;

/**
 * `POST /api/conversations/:id/messages/:message/media/:index/link` (agents): a new link to a file
 * of a message of the agent's organisation, for a CRM record or a colleague, working for the
 * configured time from now. The way to renew a CRM link that expired.
 */
export function registerMessageMediaLinkRoute(
  api: FastifyInstance,
  deps: { db: pg.Pool; link(messageId: string, index: number): MediaLink; conversationIdOf(req: FastifyRequest): string },
): void {
  api.post('/api/conversations/:id/messages/:message/media/:index/link', async (req): Promise<MediaLink> => {
    const p = messageMediaParams.safeParse(req.params);
    if (!p.success) throw new HttpError(400, 'bad_request', describeIssues(p.error));
    const item = await messageMediaOf(deps.db, req.agent.organisationId, deps.conversationIdOf(req), p.data.message, p.data.index);
    if (!item) throw new HttpError(404, 'not_found', 'no such media');
    return deps.link(p.data.message, p.data.index);
  });
}

/** Signs links to messages' files, each working until its expiry (a key and purpose of its own). */
export function createMessageMediaSigner(secret: string) {
  const links = expiringLinks(signerFor(secret, 'message media link v2'));
  const subject = (messageId: string, index: number) => `message ${messageId} file ${index}`;
  return {
    path: (messageId: string, index: number, expires: number) => `/media/messages/${messageId}/${index}?${links.query(subject(messageId, index), expires)}`,
    check: (messageId: string, index: number, expires: unknown, signature: unknown, now = Date.now()) =>
      links.check(subject(messageId, index), expires, signature, now),
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
