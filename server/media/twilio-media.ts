import { fileNameOf } from '../../lib/contract/whatsapp';
import { pipeline, Readable, Transform } from 'node:stream';

/**
 * Inbound media live at Twilio behind the account's credentials. Switchboard fetches exactly one
 * shape of URL and nothing else: `<api>/2010-04-01/Accounts/<this AccountSid>/Messages/<the
 * message's Sid>/Media/<ME…>`. The URL is rebuilt from those parts (never taken from a row), the
 * credentials go to that origin only, and Twilio's redirect to its signed CDN is followed without
 * them. See docs/security.md.
 */
export interface TwilioMediaSource {
  /** `https://api.twilio.com`, or the local stand-in's origin. */
  apiBaseUrl: string;
  accountSid: string;
  authToken: string;
}

const MEDIA_SID = /^ME[0-9a-f]{32}$/;
const MESSAGE_SID = /^(SM|MM)[0-9a-f]{32}$/;
const MAX_REDIRECTS = 3;

/** The media URL of this account for that message and media, or throws on a malformed sid. */
export function twilioMediaUrl(source: Pick<TwilioMediaSource, 'apiBaseUrl' | 'accountSid'>, messageSid: string, mediaSid: string): URL {
  if (!MESSAGE_SID.test(messageSid) || !MEDIA_SID.test(mediaSid)) throw new Error('not a Twilio message/media sid');
  return new URL(`/2010-04-01/Accounts/${source.accountSid}/Messages/${messageSid}/Media/${mediaSid}`, source.apiBaseUrl);
}

/**
 * The media sid (`ME…`) of a webhook's `MediaUrlN`, if and only if it is this account's media of
 * that very message at the expected origin; null for anything else.
 */
export function mediaSidOf(source: Pick<TwilioMediaSource, 'apiBaseUrl' | 'accountSid'>, messageSid: string, url: string): string | null {
  const sid = /\/Media\/(ME[0-9a-f]{32})$/.exec(url)?.[1];
  if (!sid || !MESSAGE_SID.test(messageSid)) return null;
  return twilioMediaUrl(source, messageSid, sid).href === url ? sid : null;
}

export class MediaFetchError extends Error {
  constructor(
    readonly code: 'media_unreachable' | 'media_too_large',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Fetches one inbound media file as a stream of at most `maxBytes`. Redirects are followed by
 * hand: the Basic credentials are sent only while the URL stays on the API's origin; a redirect to
 * another origin (Twilio's signed CDN URL) is followed without them, and only over https (or the
 * API's own scheme, for the local stand-in).
 */
export async function fetchTwilioMedia(
  source: TwilioMediaSource,
  url: URL,
  maxBytes: number,
  fetchImpl: typeof fetch = fetch,
): Promise<{ body: Readable; contentType: string | null; length: number | null; fileName: string | null }> {
  const api = new URL(source.apiBaseUrl);
  const basic = `Basic ${Buffer.from(`${source.accountSid}:${source.authToken}`).toString('base64')}`;
  let current = url;
  for (let hop = 0; ; hop++) {
    const sameOrigin = current.origin === api.origin;
    if (!sameOrigin && current.protocol !== 'https:' && current.protocol !== api.protocol) {
      throw new MediaFetchError('media_unreachable', 'Twilio redirected the media to a URL that is not https');
    }
    let res: Response;
    try {
      res = await fetchImpl(current, {
        headers: sameOrigin ? { authorization: basic } : {},
        redirect: 'manual',
        signal: AbortSignal.timeout(15_000),
      });
    } catch {
      throw new MediaFetchError('media_unreachable', 'the media could not be fetched from Twilio');
    }
    if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
      await res.body?.cancel();
      if (hop >= MAX_REDIRECTS) throw new MediaFetchError('media_unreachable', 'too many redirects fetching the media');
      current = new URL(res.headers.get('location')!, current);
      continue;
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new MediaFetchError('media_unreachable', `Twilio answered ${res.status} for this media`);
    }
    const declared = Number(res.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > maxBytes) {
      await res.body.cancel();
      throw new MediaFetchError('media_too_large', `the media is larger than ${maxBytes} bytes`);
    }
    const body = capBytes(maxBytes);
    // pipeline (not pipe) so an upstream failure reaches the reader instead of a silent stall.
    pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), body, () => {});
    return {
      body,
      contentType: res.headers.get('content-type'),
      length: res.headers.get('content-length') ? declared : null,
      fileName: fileNameOf(res.headers.get('content-disposition')),
    };
  }
}

/** A pass-through that fails once more than `max` bytes went through (a length header can lie). */
function capBytes(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > max) return done(new MediaFetchError('media_too_large', `the media is larger than ${max} bytes`));
      done(null, chunk);
    },
  });
}
