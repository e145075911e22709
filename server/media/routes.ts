import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import { INLINE_IMAGE_TYPES } from '../../lib/contract/models';
import { messageMediaOf } from './repository';
import { contentDisposition, fileOf, sendFile, type UploadRouteDeps } from './uploads';
import { describeIssues, HttpError } from '../errors';
import { fetchTwilioMedia, MediaFetchError, twilioMediaUrl, type TwilioMediaSource } from './twilio-media';


const params = z.object({ message: z.uuid(), index: z.coerce.number().int().min(0).max(9) });

/**
 * `GET /api/conversations/:id/messages/:message/media/:index`: a customer's file, fetched from
 * this account's Twilio media with the account's credentials (which never leave the server),
 * streamed to the agent and capped at `maxBytes`; or an agent's uploaded file, from storage. An
 * agent's file sent by public URL is not proxied: that would make the server fetch any URL.
 */
export function registerMediaRoutes(
  api: FastifyInstance,
  deps: { db: pg.Pool; source: TwilioMediaSource; maxBytes: number; conversationIdOf(req: FastifyRequest): string; uploads: Pick<UploadRouteDeps, 'db' | 'storage'> },
): void {
  api.get('/api/conversations/:id/messages/:message/media/:index', async (req, reply) => {
    const p = params.safeParse(req.params);
    if (!p.success) throw new HttpError(400, 'bad_request', describeIssues(p.error));
    const item = await messageMediaOf(deps.db, req.agent, deps.conversationIdOf(req), p.data.message, p.data.index);
    if (!item) throw new HttpError(404, 'not_found', 'no such media');
    if (item.kind === 'upload') {
      const file = await fileOf(deps.uploads, { id: item.uploadId, organisationId: req.agent.organisationId });
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
  });
}
