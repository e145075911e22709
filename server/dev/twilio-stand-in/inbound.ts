import { randomBytes } from 'node:crypto';
import twilio from 'twilio';

/**
 * The Twilio side of an inbound WhatsApp message, for development, demos and tests: builds the
 * form fields Twilio posts and signs them exactly as Twilio does (`X-Twilio-Signature`).
 */
export interface InboundOptions {
  accountSid: string;
  from: string; // +E164 or whatsapp:+E164
  to: string;
  body?: string;
  profileName?: string;
  messagingServiceSid?: string;
  media?: Array<{ url: string; contentType: string }>;
  messageSid?: string;
  /** A shared place (WhatsApp's location message): sent as Latitude/Longitude/Address/Label. */
  location?: { latitude: number; longitude: number; address?: string; label?: string };
  /** A swipe-to-reply: the MessageSid quoted (OriginalRepliedMessageSid) and who sent it. */
  replyTo?: { sid: string; sender: string };
  /** A tapped quick-reply button of a template (ButtonText, ButtonPayload), replying to that template. */
  button?: { text: string; payload: string };
  /** A chosen list-picker item (ListId, ListTitle). */
  listItem?: { id: string; title: string };
}

export const newSid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;
const whatsapp = (n: string) => (n.startsWith('whatsapp:') ? n : `whatsapp:${n}`);

export function inboundParams(o: InboundOptions): Record<string, string> {
  const media = o.media ?? [];
  const params: Record<string, string> = {
    SmsMessageSid: '',
    MessageSid: o.messageSid ?? newSid(media.length ? 'MM' : 'SM'),
    AccountSid: o.accountSid,
    From: whatsapp(o.from),
    To: whatsapp(o.to),
    Body: o.body ?? '',
    NumMedia: String(media.length),
    NumSegments: '1',
    SmsStatus: 'received',
    ApiVersion: '2010-04-01',
    WaId: o.from.replace(/^whatsapp:\+?|^\+/, ''),
  };
  params.SmsMessageSid = params.MessageSid!;
  if (o.profileName !== undefined) params.ProfileName = o.profileName;
  if (o.messagingServiceSid) params.MessagingServiceSid = o.messagingServiceSid;
  if (o.location) {
    params.Latitude = String(o.location.latitude);
    params.Longitude = String(o.location.longitude);
    if (o.location.address) params.Address = o.location.address;
    if (o.location.label) params.Label = o.location.label;
  }
  media.forEach((m, i) => {
    params[`MediaUrl${i}`] = m.url;
    params[`MediaContentType${i}`] = m.contentType;
  });
  // Twilio's MessageType: what kind of WhatsApp message this is.
  params.MessageType = o.button
    ? 'button'
    : o.listItem
      ? 'interactive'
      : o.location
        ? 'location'
        : media.length
          ? messageTypeOf(media[0]!.contentType)
          : 'text';
  if (o.replyTo) {
    params.OriginalRepliedMessageSid = o.replyTo.sid;
    params.OriginalRepliedMessageSender = whatsapp(o.replyTo.sender);
  }
  if (o.button) {
    params.ButtonText = o.button.text;
    params.ButtonPayload = o.button.payload;
    if (!o.body) params.Body = o.button.text;
  }
  if (o.listItem) {
    params.ListId = o.listItem.id;
    params.ListTitle = o.listItem.title;
    if (!o.body) params.Body = o.listItem.title;
  }
  return params;
}

const messageTypeOf = (contentType: string) =>
  contentType.startsWith('image/')
    ? 'image'
    : contentType.startsWith('audio/')
      ? 'audio'
      : contentType.startsWith('video/')
        ? 'video'
        : contentType === 'text/vcard'
          ? 'contacts'
          : 'document';

/** Posts form fields to `url` signed with `authToken`; `signatureUrl` is what Twilio would sign (the public URL). */
export async function postSignedWebhook(url: string, authToken: string, params: Record<string, string>, signatureUrl: string = url): Promise<Response> {
  const signature = twilio.getExpectedTwilioSignature(authToken, signatureUrl, params);
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature, 'user-agent': 'TwilioProxy/1.1' },
    body: new URLSearchParams(params).toString(),
  });
}
