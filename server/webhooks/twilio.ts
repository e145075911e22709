import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import twilio from 'twilio';
import { z } from 'zod';
import { describeIssues } from '../errors';
import { mediaSidOf } from '../media/twilio-media';
import type { MessageView } from '../../lib/contract/models';
import { createInboundBatcher } from '../inbox/inbound-batcher';
import type { InboundMessage, StoreInboundResult } from '../inbox/repository';
import { advanceStatus } from '../outbound/repository';

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
}



const sid = (prefix: string) => z.string().regex(new RegExp(`^${prefix}[0-9a-f]{32}$`), `must be ${prefix} followed by 32 hex digits`);
const whatsappAddress = z.string().regex(/^whatsapp:\+[1-9]\d{6,14}$/, 'must be whatsapp:+ followed by an E.164 number');

/** Twilio's inbound-message webhook body (form fields), as far as Switchboard relies on it. */
export const inboundWebhookSchema = z.looseObject({
  MessageSid: z.string().regex(/^(SM|MM)[0-9a-f]{32}$/, 'must be SM or MM followed by 32 hex digits'),
  AccountSid: sid('AC'),
  From: whatsappAddress,
  To: whatsappAddress,
  Body: z.string().max(4096).default(''),
  ProfileName: z.string().max(256).optional(),
  MessagingServiceSid: sid('MG').optional(),
  NumMedia: z.coerce.number().int().min(0).max(10).default(0),
  // A shared location (WhatsApp): both coordinates, or neither.
  Latitude: z.coerce.number().min(-90).max(90).optional(),
  Longitude: z.coerce.number().min(-180).max(180).optional(),
  Address: z.string().max(1024).optional(),
  Label: z.string().max(1024).optional(),
}).refine((b) => (b.Latitude === undefined) === (b.Longitude === undefined), { message: 'Latitude and Longitude come together', path: ['Latitude'] });

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
    if (b.AccountSid !== deps.twilio.accountSid) return reply.code(403).send({ error: 'forbidden', message: 'AccountSid is not this deployment’s Twilio account' });
    const ourId = z.uuid().safeParse((req.query as { message?: string }).message);
    const status = b.MessageStatus === 'canceled' ? 'failed' : b.MessageStatus === 'scheduled' ? 'queued' : b.MessageStatus;
    const result = await advanceStatus(deps.db, ourId.success ? { id: ourId.data, twilioSid: b.MessageSid } : { twilioSid: b.MessageSid }, status, {
      code: b.ErrorCode ?? null,
      message: b.ErrorMessage ?? null,
    });
    if (result) deps.onStatus(result.organisationId, result.message);
    return reply.code(204).send();
  });

  app.post('/api/webhooks/twilio', { bodyLimit: deps.bodyLimit }, async (req, reply) => {
    const params = signed(req);
    if (!params) {
      req.log.warn('rejected a webhook with a missing or invalid X-Twilio-Signature');
      return reply.code(403).send(forbidden);
    }
    // PostgreSQL's text and jsonb cannot hold NUL, and every field is kept (the raw payload too).
    const withNul = Object.entries(params).find(([, v]) => String(v).includes('\0'));
    if (withNul) return reply.code(400).send({ error: 'bad_request', message: `${withNul[0]}: must not contain NUL characters` });
    const parsed = inboundWebhookSchema.safeParse(params);
    if (!parsed.success) {
      const message = describeIssues(parsed.error);
      return reply.code(400).send({ error: 'bad_request', message });
    }
    const body = parsed.data;
    if (body.AccountSid !== deps.twilio.accountSid) {
      return reply.code(403).send({ error: 'forbidden', message: 'AccountSid is not this deployment’s Twilio account' });
    }
    const media: InboundMessage['media'] = [];
    const source = { apiBaseUrl: deps.twilioApiBaseUrl, accountSid: deps.twilio.accountSid };
    for (let i = 0; i < body.NumMedia; i++) {
      const mediaUrl = z.url().safeParse(params[`MediaUrl${i}`]);
      const contentType = params[`MediaContentType${i}`];
      if (!mediaUrl.success || typeof contentType !== 'string' || contentType.length > 255) {
        return reply.code(400).send({ error: 'bad_request', message: `MediaUrl${i}/MediaContentType${i}: missing or invalid` });
      }
      // Only this account's media of this message is ever fetched; anything else is kept as a
      // file that cannot be opened (the message itself is not lost).
      const sid = mediaSidOf(source, body.MessageSid, mediaUrl.data);
      if (!sid) req.log.warn({ messageSid: body.MessageSid, index: i }, 'MediaUrl is not this account’s Twilio media of this message: kept, not fetchable');
      media.push({ contentType, sid });
    }
    const result = await inbound.store({
      messageSid: body.MessageSid,
      from: body.From,
      to: body.To,
      messagingServiceSid: body.MessagingServiceSid ?? null,
      body: body.Body,
      profileName: body.ProfileName ?? null,
      media,
      location:
        body.Latitude !== undefined && body.Longitude !== undefined
          ? { latitude: body.Latitude, longitude: body.Longitude, address: body.Address ?? null, label: body.Label ?? null }
          : null,
      raw: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])),
    });
    if (result.kind === 'stored') deps.onStored(result);
    else req.log.info({ messageSid: body.MessageSid, kind: result.kind }, 'inbound webhook not stored as a new message');
    return reply.type('text/xml').send(EMPTY_TWIML);
  });
}
