/**
 * What WhatsApp through Twilio allows and what its failures mean, shared by the server (which
 * enforces it) and the extension (which says it before anything is sent). Sources: Twilio's
 * "Guidance on WhatsApp media messages", "Accepted content types for media", its opt-out keyword
 * list and its error dictionary (see docs/whatsapp.md).
 */

/** Whole-message keywords (any case, surrounding spaces ignored) by which a customer opts out, or back in. */
export const OPT_OUT_KEYWORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE'] as const;
export const OPT_IN_KEYWORDS = ['START', 'YES', 'UNSTOP', 'OPTIN'] as const;

/** `out` or `in` when the whole message is an opt-out or opt-in keyword. */
export function optKeyword(body: string): 'out' | 'in' | null {
  const word = body.trim().toUpperCase();
  if ((OPT_OUT_KEYWORDS as readonly string[]).includes(word)) return 'out';
  if ((OPT_IN_KEYWORDS as readonly string[]).includes(word)) return 'in';
  return null;
}

const MB = 1024 * 1024;
/** One WhatsApp message's media may not exceed this in all. */
export const WHATSAPP_MESSAGE_MAX_BYTES = 16 * MB;

export type MediaKind = 'image' | 'audio' | 'video' | 'document' | 'contact';

/** The files an agent may send, by content type, with WhatsApp's limit for each kind. */
export const SENDABLE_TYPES: Readonly<Record<string, { kind: MediaKind; maxBytes: number; label: string }>> = {
  'image/jpeg': { kind: 'image', maxBytes: 5 * MB, label: 'JPEG image' },
  'image/png': { kind: 'image', maxBytes: 5 * MB, label: 'PNG image' },
  'image/webp': { kind: 'image', maxBytes: 5 * MB, label: 'WebP image' },
  'audio/ogg': { kind: 'audio', maxBytes: 16 * MB, label: 'OGG audio' },
  'audio/amr': { kind: 'audio', maxBytes: 16 * MB, label: 'AMR audio' },
  'audio/3gpp': { kind: 'audio', maxBytes: 16 * MB, label: '3GP audio' },
  'audio/aac': { kind: 'audio', maxBytes: 16 * MB, label: 'AAC audio' },
  'audio/mpeg': { kind: 'audio', maxBytes: 16 * MB, label: 'MP3 audio' },
  'audio/mp4': { kind: 'audio', maxBytes: 16 * MB, label: 'M4A audio' },
  'video/mp4': { kind: 'video', maxBytes: 16 * MB, label: 'MP4 video' },
  'video/3gpp': { kind: 'video', maxBytes: 16 * MB, label: '3GP video' },
  'application/pdf': { kind: 'document', maxBytes: 16 * MB, label: 'PDF' },
  'application/msword': { kind: 'document', maxBytes: 16 * MB, label: 'Word document' },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': { kind: 'document', maxBytes: 16 * MB, label: 'Word document' },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { kind: 'document', maxBytes: 16 * MB, label: 'Excel workbook' },
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': { kind: 'document', maxBytes: 16 * MB, label: 'PowerPoint presentation' },
  'text/vcard': { kind: 'contact', maxBytes: 1 * MB, label: 'contact card' },
};

/** Sizes as people read them: 930 KB, 4.2 MB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < MB) return `${Math.round(n / 1024)} KB`;
  return `${(n / MB).toFixed(n < 10 * MB ? 1 : 0)} MB`;
}

/**
 * Why a file cannot go to a customer on WhatsApp, before it is uploaded, or null if it can.
 * `type` is what the browser says; the server checks the bytes again.
 */
export function fileProblem(file: { name: string; type: string; size: number }): string | null {
  const rule = SENDABLE_TYPES[file.type];
  if (!rule)
    return `${file.name}: WhatsApp cannot carry this kind of file (${file.type || 'unknown type'}). Send an image (JPEG, PNG, WebP), audio, an MP4 video, a PDF or an Office document.`;
  if (file.size === 0) return `${file.name} is empty.`;
  if (file.size > rule.maxBytes) return `${file.name} is ${formatBytes(file.size)}: WhatsApp takes a ${rule.label} of up to ${formatBytes(rule.maxBytes)}.`;
  return null;
}

/** What an agent can do about a failed message. */
export type NextStep = 'template' | 'retry' | 'check_number' | 'smaller_file' | 'wait' | 'opted_out' | 'none';

/** Twilio's error codes agents meet on WhatsApp, as a sentence and the next step that can work. */
export const TWILIO_ERRORS: Readonly<Record<number, { sentence: string; next: NextStep }>> = {
  63016: { sentence: 'More than 24 hours have passed since the customer last wrote, so WhatsApp only allows an approved template.', next: 'template' },
  63024: { sentence: 'This number cannot receive this WhatsApp message (not a WhatsApp user, or not a valid recipient).', next: 'check_number' },
  63003: { sentence: 'This number cannot be reached on WhatsApp: check it with the customer.', next: 'check_number' },
  63019: { sentence: 'WhatsApp could not fetch or deliver the file (its type or size is not supported, or it could not be downloaded).', next: 'smaller_file' },
  63021: { sentence: 'WhatsApp refused the message: it looks invalid (a channel or content problem).', next: 'none' },
  63032: { sentence: 'WhatsApp refused the message: the customer’s location or account cannot receive messages from this sender.', next: 'none' },
  63049: {
    sentence: 'Meta held this marketing template back to keep the customer from receiving too many: try later, or write once they reply.',
    next: 'wait',
  },
  63018: { sentence: 'This WhatsApp sender has hit its rate limit: the message can go out in a moment.', next: 'retry' },
  63038: { sentence: 'This WhatsApp sender has reached its daily message limit: try again tomorrow.', next: 'wait' },
  63051: { sentence: 'The WhatsApp Business Account is locked or restricted: ask your admin.', next: 'none' },
  63027: { sentence: 'This template does not exist or is not approved for WhatsApp.', next: 'template' },
  21610: { sentence: 'The customer has opted out (they sent STOP): nothing can be sent until they send START.', next: 'opted_out' },
  21211: { sentence: 'The number is not a valid phone number.', next: 'check_number' },
  30008: { sentence: 'Delivery failed for an unknown reason on the carrier’s side.', next: 'retry' },
  30003: { sentence: 'The customer’s phone could not be reached.', next: 'retry' },
};

/** A failed message's plain sentence and next step (the raw text for a code this table does not know). */
export function failureGuide(code: number | null, message: string | null): { sentence: string; next: NextStep } {
  if (code !== null && TWILIO_ERRORS[code]) return TWILIO_ERRORS[code]!;
  return { sentence: message ?? 'The message could not be delivered.', next: 'retry' };
}

/** The file name a Content-Disposition header gives (RFC 6266: `filename*` first), or null. */
export function fileNameOf(header: string | null): string | null {
  if (!header) return null;
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (extended) {
    try {
      return decodeURIComponent(extended[1]!.trim());
    } catch {
      /* the plain one below */
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;\s]+)/i.exec(header);
  return (plain?.[1] ?? plain?.[2])?.trim() || null;
}
