import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { StoredMediaItem } from '../../lib/contract/models';
import { replyRequest } from '../../lib/contract/schemas';
import { renderTemplate, type TemplateView } from '../../lib/contract/reply-window';
import { conversationWindow, createOutbound, type OutboundContent } from './repository';
import { assertPublicHttpsUrl, NotPublicUrlError, type ResolveHost } from '../media/public-url';
import { describeIssues, guard, HttpError } from '../errors';
import type { Broadcast } from '../sockets/broadcast';
import type { Sender } from './sender';
import type { TwilioClient } from './twilio-client';

const TEMPLATE_CACHE_MS = 5 * 60_000;

/** Replies (text, a file by public URL, or an approved template) and the templates a conversation may use. */
export function registerReplyRoutes(
  api: FastifyInstance,
  deps: {
    db: pg.Pool;
    twilio: TwilioClient;
    /** Resolves an agent's file host: only public addresses are handed to Twilio. */
    resolveHost: ResolveHost;
    sender: Sender;
    conversationIdOf(req: FastifyRequest): string;
    broadcast: Broadcast;
  },
): void {
  // The account's approved templates, fetched from Twilio at most every few minutes…
  let accountTemplates: { at: number; list: TemplateView[] } | null = null;
  const approvedOnAccount = async (): Promise<TemplateView[]> => {
    if (accountTemplates && Date.now() - accountTemplates.at < TEMPLATE_CACHE_MS) return accountTemplates.list;
    const contents = await deps.twilio.content.v1.contentAndApprovals.list({ pageSize: 100 });
    const list = contents
      .filter((c) => (c.approvalRequests as { status?: string } | undefined)?.status === 'approved')
      .map((c) => ({
        sid: c.sid,
        name: c.friendlyName,
        language: c.language,
        body: ((c.types as Record<string, { body?: string }>)['twilio/text']?.body ?? '') as string,
        variables: (c.variables ?? {}) as unknown as Record<string, string>,
        labels: {},
      }));
    accountTemplates = { at: Date.now(), list };
    return list;
  };
  // …of which an organisation sees and sends only those given to it (organisations may share an
  // account), with its own labels for their variables.
  const approvedTemplates = async (organisationId: string): Promise<TemplateView[]> => {
    const { rows } = await deps.db.query<{ content_sid: string; variable_labels: Record<string, string> }>(
      'select content_sid, variable_labels from organisation_templates where organisation_id = $1',
      [organisationId],
    );
    const mine = new Map(rows.map((r) => [r.content_sid, r.variable_labels]));
    return (await approvedOnAccount()).filter((t) => mine.has(t.sid)).map((t) => ({ ...t, labels: mine.get(t.sid)! }));
  };

  api.get('/api/conversations/:id/templates', async (req) => {
    const window = await guard(() => conversationWindow(deps.db, req.agent, deps.conversationIdOf(req)));
    return { window, templates: await approvedTemplates(req.agent.organisationId) };
  });

  api.post('/api/conversations/:id/messages', async (req, reply) => {
    const conversationId = deps.conversationIdOf(req);
    const input = replyRequest.safeParse(req.body);
    if (!input.success) throw new HttpError(400, 'bad_request', describeIssues(input.error));
    const { id, body, mediaUrl, template, uploadId } = input.data;
    let content: OutboundContent;
    if (template) {
      const known = (await approvedTemplates(req.agent.organisationId)).find((t) => t.sid === template.sid);
      if (!known)
        throw new HttpError(422, 'template_not_approved', 'this template does not exist, is not approved for WhatsApp, or is not one of this organisation’s');
      content = { kind: 'template', contentSid: template.sid, variables: template.variables, renderedBody: renderTemplate(known.body, template.variables) };
    } else {
      if (mediaUrl) {
        try {
          await assertPublicHttpsUrl(mediaUrl, deps.resolveHost);
        } catch (err) {
          if (err instanceof NotPublicUrlError) throw new HttpError(422, 'media_url_refused', err.message);
          throw err;
        }
      }
      let media: StoredMediaItem[] = mediaUrl ? [{ url: mediaUrl, contentType: guessType(mediaUrl) }] : [];
      if (uploadId) {
        // Only the organisation's own uploads; the customer receives it from a signed URL of ours.
        // The reply's own transaction marks it sent (createOutbound): a refused reply leaves it unsent.
        const { rows } = await deps.db.query<{ content_type: string; file_name: string; size_bytes: string }>(
          'select content_type, file_name, size_bytes from uploads where id = $1 and organisation_id = $2',
          [uploadId, req.agent.organisationId],
        );
        if (!rows[0]) throw new HttpError(422, 'unknown_upload', 'this file was not uploaded here (or by another organisation): upload it again');
        media = [{ uploadId, contentType: rows[0].content_type, name: rows[0].file_name, size: Number(rows[0].size_bytes) }];
      }
      content = { kind: 'text', body: body ?? '', media };
    }
    const out = await guard(() => createOutbound(deps.db, req.agent, conversationId, id, content));
    // A retried request (same id) stores and sends nothing again.
    if (!out.created) return reply.code(200).send({ message: out.message });
    deps.broadcast.messageNew(req.agent.organisationId, out.message, out.conversation);
    // Reopened by the reply: its activity line.
    if (out.activity.length)
      deps.broadcast.conversationChanged({ organisationId: req.agent.organisationId, conversation: out.conversation, activity: out.activity });
    deps.sender.kick();
    return reply.code(201).send({ message: out.message });
  });
}

const TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  pdf: 'application/pdf',
  mp4: 'video/mp4',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
};
function guessType(url: string): string {
  const ext = new URL(url).pathname.split('.').pop()?.toLowerCase() ?? '';
  return TYPES[ext] ?? 'application/octet-stream';
}
