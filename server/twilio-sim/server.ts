import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import twilio from 'twilio';
import { newSid } from './inbound';

/**
 * A faithful stand-in for the part of Twilio's REST API Switchboard uses (Messages create), for
 * development and tests: Basic-auth checked, real-looking SIDs and error bodies, and status
 * callbacks (queued → sent → delivered → read, or failed) posted back with a valid
 * X-Twilio-Signature, after configurable delays.
 */
export interface TwilioStandIn {
  url: string;
  /** Every accepted create request, in order. */
  created: Array<Record<string, string>>;
  /** Numbers ("whatsapp:+…") whose messages fail with Twilio error 63016. */
  failing: Set<string>;
  close(): Promise<void>;
}

export async function startTwilioStandIn(opts: { accountSid: string; authToken: string; callbackDelayMs?: number }): Promise<TwilioStandIn> {
  const app: FastifyInstance = Fastify();
  await app.register(formbody);
  const created: Array<Record<string, string>> = [];
  const failing = new Set<string>();
  const delay = opts.callbackDelayMs ?? 50;
  const expectedAuth = `Basic ${Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString('base64')}`;

  const callback = async (url: string, params: Record<string, string>) => {
    const signature = twilio.getExpectedTwilioSignature(opts.authToken, url, params);
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: new URLSearchParams(params) }).catch(() => {});
  };

  app.post('/2010-04-01/Accounts/:account/Messages.json', async (req, reply) => {
    const err = (status: number, code: number, message: string) => reply.code(status).send({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
    if (req.headers.authorization !== expectedAuth || (req.params as { account: string }).account !== opts.accountSid) return err(401, 20003, 'Authenticate');
    const b = req.body as Record<string, string>;
    if (!b.To) return err(400, 21604, "A 'To' phone number is required.");
    if (!b.From && !b.MessagingServiceSid) return err(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message.");
    if (!b.Body && !b.MediaUrl && !b.ContentSid) return err(400, 21602, 'Message body is required.');
    created.push(b);
    const sid = newSid('SM');
    const now = new Date().toUTCString();
    if (b.StatusCallback) {
      const base = { MessageSid: sid, SmsSid: sid, AccountSid: opts.accountSid, From: b.From ?? '', To: b.To, ApiVersion: '2010-04-01' };
      const steps: Array<Record<string, string>> = failing.has(b.To)
        ? [{ MessageStatus: 'failed', ErrorCode: '63016', ErrorMessage: 'Failed to send freeform message because you are outside the allowed window.' }]
        : [{ MessageStatus: 'sent' }, { MessageStatus: 'delivered' }, { MessageStatus: 'read' }];
      void (async () => {
        for (const step of steps) {
          await new Promise((r) => setTimeout(r, delay));
          await callback(b.StatusCallback!, { ...base, SmsStatus: step.MessageStatus!, ...step });
        }
      })();
    }
    return reply.code(201).send({
      sid,
      account_sid: opts.accountSid,
      to: b.To,
      from: b.From ?? null,
      messaging_service_sid: b.MessagingServiceSid ?? null,
      body: b.Body ?? '',
      status: 'queued',
      num_media: b.MediaUrl ? '1' : '0',
      direction: 'outbound-api',
      api_version: '2010-04-01',
      date_created: now,
      date_updated: now,
      error_code: null,
      error_message: null,
      uri: `/2010-04-01/Accounts/${opts.accountSid}/Messages/${sid}.json`,
    });
  });

  await app.listen({ host: '127.0.0.1', port: 0 });
  return { url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, created, failing, close: () => app.close() };
}
