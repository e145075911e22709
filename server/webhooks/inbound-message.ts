import { z } from 'zod';
import { describeIssues } from '../errors';
import type { InboundMessage } from '../inbox/repository';
import { mediaSidOf } from '../media/twilio-media';
import { optKeyword } from '../../lib/contract/whatsapp';

const sid = (prefix: string) => z.string().regex(new RegExp(`^${prefix}[0-9a-f]{32}$`), `must be ${prefix} followed by 32 hex digits`);
const whatsappAddress = z.string().regex(/^whatsapp:\+[1-9]\d{6,14}$/, 'must be whatsapp:+ followed by an E.164 number');

/** Twilio's inbound-message webhook body (form fields), as far as Switchboard relies on it. */
export const inboundWebhookSchema = z
  .looseObject({
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
    // A reply that quotes an earlier message (ours or the customer's).
    OriginalRepliedMessageSid: z
      .string()
      .regex(/^(SM|MM)[0-9a-f]{32}$/, 'must be SM or MM followed by 32 hex digits')
      .optional(),
    // A tapped quick-reply button of a template (its text and the payload the template gave it)…
    ButtonText: z.string().max(1024).optional(),
    ButtonPayload: z.string().max(1024).optional(),
    // …or a chosen item of a list picker (its id and title).
    ListId: z.string().max(1024).optional(),
    ListTitle: z.string().max(1024).optional(),
  })
  .refine((b) => (b.Latitude === undefined) === (b.Longitude === undefined), { message: 'Latitude and Longitude come together', path: ['Latitude'] });

/**
 * Twilio's inbound-message webhook form fields as the message Switchboard stores (also used to
 * route a message stored earlier as unrouted). `unfetchableMedia`: indexes of media whose URL is
 * not this account's media of this message, kept as files that cannot be opened.
 */
export function inboundMessageOf(
  params: Record<string, string | string[]>,
  source: { apiBaseUrl: string; accountSid: string },
): { ok: true; msg: InboundMessage; unfetchableMedia: number[] } | { ok: false; status: 400 | 403; message: string } {
  const parsed = inboundWebhookSchema.safeParse(params);
  if (!parsed.success) return { ok: false, status: 400, message: describeIssues(parsed.error) };
  const body = parsed.data;
  if (body.AccountSid !== source.accountSid) return { ok: false, status: 403, message: 'AccountSid is not this deployment’s Twilio account' };
  const media: InboundMessage['media'] = [];
  const unfetchableMedia: number[] = [];
  for (let i = 0; i < body.NumMedia; i++) {
    const mediaUrl = z.url().safeParse(params[`MediaUrl${i}`]);
    const contentType = params[`MediaContentType${i}`];
    if (!mediaUrl.success || typeof contentType !== 'string' || contentType.length > 255) {
      return { ok: false, status: 400, message: `MediaUrl${i}/MediaContentType${i}: missing or invalid` };
    }
    // Only this account's media of this message is ever fetched; anything else is kept as a
    // file that cannot be opened (the message itself is not lost).
    const sid = mediaSidOf(source, body.MessageSid, mediaUrl.data);
    if (!sid) unfetchableMedia.push(i);
    media.push({ contentType, sid });
  }
  return {
    ok: true,
    unfetchableMedia,
    msg: {
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
      replyToSid: body.OriginalRepliedMessageSid ?? null,
      interactive:
        body.ButtonText !== undefined || body.ButtonPayload !== undefined
          ? { kind: 'button', text: body.ButtonText ?? body.Body, payload: body.ButtonPayload ?? null }
          : body.ListId !== undefined || body.ListTitle !== undefined
            ? { kind: 'list', text: body.ListTitle ?? body.Body, payload: body.ListId ?? null }
            : null,
      opt: body.NumMedia === 0 ? optKeyword(body.Body) : null,
    },
  };
}
