import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import twilio from 'twilio';
import { z } from 'zod';
import { describeIssues } from '../errors';
import type { MessageView } from '../../lib/contract/models';
import { createInboundBatcher } from '../inbox/inbound-batcher';
import type { StoreInboundResult } from '../inbox/repository';
import { advanceStatus } from '../outbound/repository';
import { attributeUnrouted } from '../inbox/unrouted';
import { inboundMessageOf } from './inbound-message';

export interface TwilioWebhookDeps {
  db: pg.Pool;
  /** Resolved at request time: with port 0 it is known only after listen. */
  publicUrl: () => string;
  twilio: { accountSid: string; authToken: string };
  /** Twilio's API origin: inbound media are kept only as sids of this account's media there. */
  twilioApiBaseUrl: string;
  bodyLimit: number;
  onStored(result: Extract<StoreInboundResult, { kind: 'stored' }>): void;
  onStatus(organisationId: string, message: MessageView): void;
  /** A message no channel owns came to this organisation's own webhook URL: its admins are told. */
  onUnrouted(organisationId: string): void;
}

const sid = (prefix: string) => z.string().regex(new RegExp(`^${prefix}[0-9a-f]{32}$`), `must be ${prefix} followed by 32 hex digits`);

const statusCallbackSchema = z.looseObject({
  MessageSid: z.string().regex(/^(SM|MM)[0-9a-f]{32}$/, 'must be SM or MM followed by 32 hex digits'),
  AccountSid: sid('AC'),
  MessageStatus: z.enum(['accepted', 'queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'undelivered', 'canceled', 'scheduled']),
  ErrorCode: z.coerce.number().int().optional(),
  ErrorMessage: z.string().max(1000).optional(),
});

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/**
 * `POST /api/webhooks/twilio`: verify the signature over the public URL, then validate, then
 * store idempotently, then answer with empty TwiML. Nothing is written before the signature
 * checks out.
 */
export async function registerTwilioWebhooks(app: FastifyInstance, deps: TwilioWebhookDeps): Promise<void> {
  // Commits are shared between concurrent webhooks when PostgreSQL is busy (see the batcher).
  const inbound = createInboundBatcher(deps.db);
  app.get('/api/webhooks/twilio', async () => ({ status: 'ok', service: 'twilio-webhook', time: new Date().toISOString() }));

  const signed = (req: { headers: Record<string, unknown>; url: string; body: unknown }) => {
    const params = (req.body ?? {}) as Record<string, string | string[]>;
    const signature = req.headers['x-twilio-signature'];
    const url = deps.publicUrl() + req.url;
    return typeof signature === 'string' && twilio.validateRequest(deps.twilio.authToken, signature, url, params) ? params : null;
  };
  const forbidden = { error: 'forbidden', message: 'invalid X-Twilio-Signature' };

  /** Delivery status of an outbound message; `?message=<our id>` is set on the callback URL we give Twilio. */
  app.post('/api/webhooks/twilio/status', { bodyLimit: deps.bodyLimit }, async (req, reply) => {
    const params = signed(req);
    if (!params) return reply.code(403).send(forbidden);
    const parsed = statusCallbackSchema.safeParse(params);
    if (!parsed.success) return reply.code(400).send({ error: 'bad_request', message: describeIssues(parsed.error) });
    const b = parsed.data;
    if (b.AccountSid !== deps.twilio.accountSid)
      return reply.code(403).send({ error: 'forbidden', message: 'AccountSid is not this deployment’s Twilio account' });
    const ourId = z.uuid().safeParse((req.query as { message?: string }).message);
    const status = b.MessageStatus === 'canceled' ? 'failed' : b.MessageStatus === 'scheduled' ? 'queued' : b.MessageStatus;
    const result = await advanceStatus(deps.db, ourId.success ? { id: ourId.data, twilioSid: b.MessageSid } : { twilioSid: b.MessageSid }, status, {
      code: b.ErrorCode ?? null,
      message: b.ErrorMessage ?? null,
    });
    if (result) deps.onStatus(result.organisationId, result.message);
    return reply.code(204).send();
  });

  /**
   * An inbound message, at the shared URL or at an organisation's own one. Both route by `To` or
   * `MessagingServiceSid`; only a message no channel owns differs: one that came to an
   * organisation's URL (signed by Twilio over that URL) is attributed to that organisation, whose
   * admins may then set its number up, while one at the shared URL stays the operator's.
   */
  const receive = async (req: FastifyRequest, reply: FastifyReply, organisationId: string | null) => {
    const params = signed(req);
    if (!params) {
      req.log.warn('rejected a webhook with a missing or invalid X-Twilio-Signature');
      return reply.code(403).send(forbidden);
    }
    // PostgreSQL's text and jsonb cannot hold NUL, and every field is kept (the raw payload too).
    const withNul = Object.entries(params).find(([, v]) => String(v).includes('\0'));
    if (withNul) return reply.code(400).send({ error: 'bad_request', message: `${withNul[0]}: must not contain NUL characters` });
    const parsed = inboundMessageOf(params, { apiBaseUrl: deps.twilioApiBaseUrl, accountSid: deps.twilio.accountSid });
    if (!parsed.ok) return reply.code(parsed.status).send({ error: parsed.status === 403 ? 'forbidden' : 'bad_request', message: parsed.message });
    const { msg } = parsed;
    for (const i of parsed.unfetchableMedia)
      req.log.warn({ messageSid: msg.messageSid, index: i }, 'MediaUrl is not this account’s Twilio media of this message: kept, not fetchable');
    const result = await inbound.store(msg);
    if (result.kind === 'stored') deps.onStored(result);
    else if (result.kind === 'unrouted' && organisationId) {
      if (await attributeUnrouted(deps.db, msg.messageSid, organisationId)) deps.onUnrouted(organisationId);
      else
        req.log.warn(
          { messageSid: msg.messageSid, organisationId },
          'unrouted message at the URL of an organisation that does not exist: kept for the operator',
        );
    } else req.log.info({ messageSid: msg.messageSid, kind: result.kind }, 'inbound webhook not stored as a new message');
    return reply.type('text/xml').send(EMPTY_TWIML);
  };

  app.post('/api/webhooks/twilio', { bodyLimit: deps.bodyLimit }, (req, reply) => receive(req, reply, null));
  app.post('/api/webhooks/twilio/organisations/:organisationId', { bodyLimit: deps.bodyLimit }, async (req, reply) => {
    const id = z.uuid().safeParse((req.params as { organisationId: string }).organisationId);
    if (!id.success) return reply.code(404).send({ error: 'not_found', message: 'no organisation with this id' });
    return receive(req, reply, id.data);
  });
}
