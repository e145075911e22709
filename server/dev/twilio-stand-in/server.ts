import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import twilio from 'twilio';
import { createHash, randomBytes } from 'node:crypto';
import { CONTACT_VCF, VIDEO_MP4, VOICE_NOTE_OGG } from './fixtures';
import { createServer } from 'node:http';
import { newSid } from './inbound';

/**
 * A faithful stand-in for the parts of Twilio's REST API Switchboard uses, for development and
 * tests: Messages create (Basic auth, real-looking SIDs, Twilio's error bodies, a per-sender rate
 * limit answered with HTTP 429 / 20429), status callbacks (queued → sent → delivered → read, or
 * failed with Twilio's error codes) posted back with a valid X-Twilio-Signature after configurable
 * delays, outgoing files fetched from their MediaUrl as Twilio does (HEAD, then GET; 63019 when
 * that fails), opted-out recipients refused (21610), customers' media behind Basic auth (images,
 * PDFs, voice notes, video, contact cards), and the Content API's templates with their approval.
 */
export interface TwilioStandIn {
  url: string;
  /** Every accepted create request, in order. */
  created: Array<Record<string, string>>;
  /** Numbers ("whatsapp:+…") whose messages fail with Twilio error 63016. */
  failing: Set<string>;
  /** Numbers whose messages fail with this Twilio error code (delivered as a failed status callback). */
  failWith: Map<string, number>;
  /** Numbers that opted out: a create call for them answers 400 with error 21610, as Twilio's does. */
  optedOut: Set<string>;
  /**
   * Files Twilio fetched for outgoing messages (a HEAD to check the type, then a GET), with what it
   * got. A fetch that fails makes the message fail with 63019.
   */
  fetchedMedia: Array<{ url: string; status: number; contentType: string | null; size: number; sha256: string | null; fileName: string | null }>;
  /** Creates per second per sender before 429 (Twilio's WhatsApp default is about 10); null: no limit. */
  rateLimitPerSecond: number | null;
  /** How long a create call takes to answer (a slow Twilio). */
  createDelayMs: number;
  /** Requests refused with 429 so far. */
  rateLimited: number;
  /**
   * URL of a media file Twilio hosts for an inbound message (behind the account's Basic auth; the
   * answer redirects to a signed CDN URL on another origin, as Twilio's does). `large` is bigger
   * than any sane media cap; `html` is a web page posing as a file.
   */
  mediaUrl(kind: MediaKind, messageSid: string): string;
  /** Requests that reached the media CDN, with whether they carried an Authorization header. */
  cdnRequests: Array<{ path: string; authorization: boolean }>;
  close(): Promise<void>;
}

/** Templates of the stand-in's Content API: two approved for WhatsApp, one rejected. */
export const STAND_IN_TEMPLATES = [
  {
    sid: 'HX' + '1'.repeat(32),
    friendly_name: 'follow_up',
    language: 'en',
    variables: { '1': 'there' },
    body: 'Hi {{1}}, following up on your request. Reply here to continue.',
    status: 'approved',
  },
  {
    sid: 'HX' + '2'.repeat(32),
    friendly_name: 'order_update',
    language: 'en',
    variables: { '1': 'customer', '2': '0000' },
    body: 'Hello {{1}}, your order {{2}} has shipped.',
    status: 'approved',
  },
  { sid: 'HX' + '3'.repeat(32), friendly_name: 'promo_blast', language: 'en', variables: {}, body: 'Big sale this weekend!', status: 'rejected' },
] as const;

export type MediaKind = 'image' | 'pdf' | 'html' | 'large' | 'audio' | 'video' | 'vcard';

/** Twilio's error messages for the codes the stand-in can play (its error dictionary's wording). */
export const STAND_IN_ERRORS: Record<number, string> = {
  63016: 'Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template.',
  63024: 'Invalid message recipient',
  63019: 'Media failed to download',
  63049: 'Meta chose not to deliver this WhatsApp marketing message',
  63003: 'Channel could not find To address',
  21610: 'Attempt to send to unsubscribed recipient',
  30003: 'Unreachable destination handset',
};

// A 1×1 PNG and a tiny PDF: what inbound media look like when fetched.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.1\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const HTML = Buffer.from('<!doctype html><title>invoice</title><script>window.__switchboardPwned = true</script><p>Looks like a file</p>');

export async function startTwilioStandIn(opts: { accountSid: string; authToken: string; callbackDelayMs?: number }): Promise<TwilioStandIn> {
  const app: FastifyInstance = Fastify();
  await app.register(formbody);
  const created: Array<Record<string, string>> = [];
  const failing = new Set<string>();
  const failWith = new Map<string, number>();
  const optedOut = new Set<string>();
  const recent = new Map<string, number[]>(); // sender -> create times in the last second
  const mediaKinds = new Map<string, MediaKind>();
  const messages = new Map<
    string,
    { status: string; date_updated: string; error_code: number | null; error_message: string | null } & Record<string, unknown>
  >();
  const state: TwilioStandIn = {
    url: '',
    created,
    failing,
    failWith,
    optedOut,
    fetchedMedia: [],
    rateLimitPerSecond: null,
    createDelayMs: 0,
    rateLimited: 0,
    mediaUrl: (kind, messageSid) => {
      const sid = newSid('ME');
      mediaKinds.set(sid, kind);
      return `${state.url}/2010-04-01/Accounts/${opts.accountSid}/Messages/${messageSid}/Media/${sid}`;
    },
    cdnRequests: [],
    close: async () => {
      cdn.closeAllConnections();
      await Promise.all([app.close(), new Promise((resolve) => cdn.close(resolve))]);
    },
  };
  const delay = opts.callbackDelayMs ?? 50;
  const expectedAuth = `Basic ${Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString('base64')}`;

  const fetchMedia = async (url: string): Promise<boolean> => {
    try {
      const head = await fetch(url, { method: 'HEAD' });
      const res = head.ok ? await fetch(url) : head;
      const bytes = res.ok ? Buffer.from(await res.arrayBuffer()) : null;
      const disposition = res.headers.get('content-disposition');
      state.fetchedMedia.push({
        url,
        status: res.status,
        contentType: res.headers.get('content-type'),
        size: bytes?.length ?? 0,
        sha256: bytes ? createHash('sha256').update(bytes).digest('hex') : null,
        fileName: disposition?.match(/filename="([^"]*)"/)?.[1] ?? null,
      });
      return res.ok && head.headers.get('content-type') === res.headers.get('content-type');
    } catch {
      state.fetchedMedia.push({ url, status: 0, contentType: null, size: 0, sha256: null, fileName: null });
      return false;
    }
  };

  const callback = async (url: string, params: Record<string, string>) => {
    const signature = twilio.getExpectedTwilioSignature(opts.authToken, url, params);
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params),
    }).catch(() => {});
  };

  app.post('/2010-04-01/Accounts/:account/Messages.json', async (req, reply) => {
    const err = (status: number, code: number, message: string) =>
      reply.code(status).send({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
    if (req.headers.authorization !== expectedAuth || (req.params as { account: string }).account !== opts.accountSid) return err(401, 20003, 'Authenticate');
    const b = req.body as Record<string, string>;
    if (!b.To) return err(400, 21604, "A 'To' phone number is required.");
    if (!b.From && !b.MessagingServiceSid) return err(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message.");
    if (!b.Body && !b.MediaUrl && !b.ContentSid) return err(400, 21602, 'Message body is required.');
    if (b.ContentSid && !STAND_IN_TEMPLATES.some((t) => t.sid === b.ContentSid && t.status === 'approved')) {
      return err(400, 63027, 'Template does not exist or is not approved for WhatsApp.');
    }
    if (optedOut.has(b.To)) return err(400, 21610, STAND_IN_ERRORS[21610]!);
    if (state.createDelayMs) await new Promise((r) => setTimeout(r, state.createDelayMs));
    if (state.rateLimitPerSecond !== null) {
      const sender = b.From ?? b.MessagingServiceSid!;
      const now = Date.now();
      const times = (recent.get(sender) ?? []).filter((t) => t > now - 1000);
      if (times.length >= state.rateLimitPerSecond) {
        state.rateLimited++;
        return err(429, 20429, 'Too Many Requests');
      }
      recent.set(sender, [...times, now]);
    }
    created.push(b);
    const sid = newSid('SM');
    const now = new Date().toUTCString();
    if (b.StatusCallback) {
      const base = { MessageSid: sid, SmsSid: sid, AccountSid: opts.accountSid, From: b.From ?? '', To: b.To, ApiVersion: '2010-04-01' };
      const code = failing.has(b.To) ? 63016 : failWith.get(b.To);
      const fail = (c: number) => [{ MessageStatus: 'failed', ErrorCode: String(c), ErrorMessage: STAND_IN_ERRORS[c] ?? 'Unknown error' }];
      void (async () => {
        // Twilio fetches the file before it sends: one it cannot fetch (or whose type is not what
        // its Content-Type says) fails the message with 63019.
        const fetched = b.MediaUrl ? await fetchMedia(b.MediaUrl) : true;
        const steps: Array<Record<string, string>> = code
          ? fail(code)
          : !fetched
            ? fail(63019)
            : [{ MessageStatus: 'sent' }, { MessageStatus: 'delivered' }, { MessageStatus: 'read' }];
        for (const step of steps) {
          await new Promise((r) => setTimeout(r, delay));
          const m = messages.get(sid);
          if (m)
            Object.assign(m, {
              status: step.MessageStatus,
              date_updated: new Date().toUTCString(),
              error_code: step.ErrorCode ? Number(step.ErrorCode) : null,
              error_message: step.ErrorMessage ?? null,
            });
          await callback(b.StatusCallback!, { ...base, SmsStatus: step.MessageStatus!, ...step });
        }
      })();
    }
    const resource = {
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
      error_code: null as number | null,
      error_message: null as string | null,
      uri: `/2010-04-01/Accounts/${opts.accountSid}/Messages/${sid}.json`,
    };
    messages.set(sid, resource);
    return reply.code(201).send(resource);
  });

  // Messages fetch: the resource as it is now (its status follows the callbacks sent).
  app.get('/2010-04-01/Accounts/:account/Messages/:sid', async (req, reply) => {
    if (req.headers.authorization !== expectedAuth) return reply.code(401).send({ code: 20003, message: 'Authenticate', status: 401 });
    const m = messages.get((req.params as { sid: string }).sid.replace(/\.json$/, ''));
    if (!m) return reply.code(404).send({ code: 20404, message: 'The requested resource was not found', status: 404 });
    return m;
  });

  // Media: Twilio answers with a redirect to a short-lived signed URL on its CDN (another origin).
  app.get('/2010-04-01/Accounts/:account/Messages/:sid/Media/:media', async (req, reply) => {
    if (req.headers.authorization !== expectedAuth) return reply.code(401).send({ code: 20003, message: 'Authenticate', status: 401 });
    const kind = mediaKinds.get((req.params as { media: string }).media);
    if (!kind) return reply.code(404).send({ code: 20404, message: 'The requested resource was not found', status: 404 });
    const token = randomBytes(12).toString('hex');
    cdnTokens.set(token, kind);
    return reply.redirect(`${cdnUrl}/media/${token}?Expires=${Date.now() + 300_000}&Signature=stand-in`, 307);
  });

  // Not Twilio's: how `npm run simulate` (another process) gets a customer's file of a kind, as
  // `mediaUrl()` does in-process. Behind the account's Basic auth like the rest.
  app.post('/_stand-in/media', async (req, reply) => {
    if (req.headers.authorization !== expectedAuth) return reply.code(401).send({ code: 20003, message: 'Authenticate', status: 401 });
    const b = req.body as { kind?: string; messageSid?: string };
    const kinds: MediaKind[] = ['image', 'pdf', 'audio', 'video', 'vcard'];
    if (!kinds.includes(b.kind as MediaKind) || !/^(SM|MM)[0-9a-f]{32}$/.test(b.messageSid ?? ''))
      return reply.code(400).send({ message: `kind: one of ${kinds.join(', ')}; messageSid: MM…` });
    return { url: state.mediaUrl(b.kind as MediaKind, b.messageSid!) };
  });

  // Content API (content.twilio.com): templates and their WhatsApp approval.
  app.get('/v1/ContentAndApprovals', async (req, reply) => {
    if (req.headers.authorization !== expectedAuth) return reply.code(401).send({ code: 20003, message: 'Authenticate', status: 401 });
    return {
      contents: STAND_IN_TEMPLATES.map((t) => ({
        sid: t.sid,
        account_sid: opts.accountSid,
        friendly_name: t.friendly_name,
        language: t.language,
        variables: t.variables,
        types: { 'twilio/text': { body: t.body } },
        approval_requests: {
          name: t.friendly_name,
          category: 'UTILITY',
          status: t.status,
          rejection_reason: t.status === 'rejected' ? 'Promotional content' : '',
        },
        date_created: '2026-11-01T00:00:00Z',
        date_updated: '2026-11-01T00:00:00Z',
      })),
      meta: { page: 0, page_size: 50, first_page_url: '', previous_page_url: null, url: '', next_page_url: null, key: 'contents' },
    };
  });

  // The CDN: a signed URL is its own authorisation. Like S3's presigned URLs, it refuses a request
  // that also carries an Authorization header, so credentials forwarded to it would show.
  const cdnTokens = new Map<string, MediaKind>();
  const cdn = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://cdn').pathname;
    state.cdnRequests.push({ path, authorization: req.headers.authorization !== undefined });
    const kind = cdnTokens.get(path.replace(/^\/media\//, ''));
    if (req.headers.authorization) return void res.writeHead(400, { 'content-type': 'text/plain' }).end('Only one auth mechanism allowed');
    if (!kind) return void res.writeHead(403, { 'content-type': 'text/plain' }).end('Request has expired');
    if (kind === 'large') {
      // 64 MB announced and streamed: far over any media cap.
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(64 * 2 ** 20) });
      const chunk = Buffer.alloc(2 ** 20);
      let sent = 0;
      const more = () => {
        while (sent < 64 && !res.destroyed) {
          sent++;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      res.on('close', () => (sent = 64));
      return more();
    }
    const [type, body] = (
      {
        pdf: ['application/pdf', PDF],
        html: ['text/html', HTML],
        audio: ['audio/ogg', VOICE_NOTE_OGG],
        video: ['video/mp4', VIDEO_MP4],
        vcard: ['text/vcard', CONTACT_VCF],
        image: ['image/png', PNG],
      } as const
    )[kind];
    res.writeHead(200, { 'content-type': type, 'content-length': String(body.length) }).end(body);
  });
  await new Promise<void>((resolve) => cdn.listen(0, '127.0.0.1', resolve));
  const cdnUrl = `http://127.0.0.1:${(cdn.address() as { port: number }).port}`;

  await app.listen({ host: '127.0.0.1', port: 0 });
  state.url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  return state;
}
