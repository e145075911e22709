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

/** A kind of file people name ("Word document"), whatever its exact content type. */
export type FileTypeName =
  'jpeg' | 'png' | 'webp' | 'ogg' | 'amr' | 'audio3gp' | 'aac' | 'mp3' | 'm4a' | 'mp4' | 'video3gp' | 'pdf' | 'word' | 'excel' | 'powerpoint' | 'vcard';
export interface SendableType {
  kind: MediaKind;
  maxBytes: number;
  type: FileTypeName;
  label: string;
}

/**
 * The files an agent may send, by content type, with WhatsApp's limit for each kind. `type` names
 * the file type for people: the extension says it in the agent's language (`thread:fileType.<type>`
 * in lib/i18n/locales), `label` is its English name for the server's own messages.
 */
export const SENDABLE_TYPES: Readonly<Record<string, SendableType>> = {
  'image/jpeg': { kind: 'image', maxBytes: 5 * MB, type: 'jpeg', label: 'JPEG image' },
  'image/png': { kind: 'image', maxBytes: 5 * MB, type: 'png', label: 'PNG image' },
  'image/webp': { kind: 'image', maxBytes: 5 * MB, type: 'webp', label: 'WebP image' },
  'audio/ogg': { kind: 'audio', maxBytes: 16 * MB, type: 'ogg', label: 'OGG audio' },
  'audio/amr': { kind: 'audio', maxBytes: 16 * MB, type: 'amr', label: 'AMR audio' },
  'audio/3gpp': { kind: 'audio', maxBytes: 16 * MB, type: 'audio3gp', label: '3GP audio' },
  'audio/aac': { kind: 'audio', maxBytes: 16 * MB, type: 'aac', label: 'AAC audio' },
  'audio/mpeg': { kind: 'audio', maxBytes: 16 * MB, type: 'mp3', label: 'MP3 audio' },
  'audio/mp4': { kind: 'audio', maxBytes: 16 * MB, type: 'm4a', label: 'M4A audio' },
  'video/mp4': { kind: 'video', maxBytes: 16 * MB, type: 'mp4', label: 'MP4 video' },
  'video/3gpp': { kind: 'video', maxBytes: 16 * MB, type: 'video3gp', label: '3GP video' },
  'application/pdf': { kind: 'document', maxBytes: 16 * MB, type: 'pdf', label: 'PDF' },
  'application/msword': { kind: 'document', maxBytes: 16 * MB, type: 'word', label: 'Word document' },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': { kind: 'document', maxBytes: 16 * MB, type: 'word', label: 'Word document' },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { kind: 'document', maxBytes: 16 * MB, type: 'excel', label: 'Excel workbook' },
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': {
    kind: 'document',
    maxBytes: 16 * MB,
    type: 'powerpoint',
    label: 'PowerPoint presentation',
  },
  'text/vcard': { kind: 'contact', maxBytes: 1 * MB, type: 'vcard', label: 'contact card' },
};

/** A size as a number and its unit, rounded as people read it (930 KB, 4.2 MB). */
export function byteSize(n: number): { value: number; unit: 'bytes' | 'kb' | 'mb'; digits: number } {
  if (n < 1024) return { value: n, unit: 'bytes', digits: 0 };
  if (n < MB) return { value: Math.round(n / 1024), unit: 'kb', digits: 0 };
  const digits = n < 10 * MB ? 1 : 0;
  return { value: Number((n / MB).toFixed(digits)), unit: 'mb', digits };
}

/** Sizes in English, for the server's messages: 930 KB, 4.2 MB (the extension says them in the agent's language). */
export function formatBytes(n: number): string {
  const { value, unit, digits } = byteSize(n);
  return `${value.toFixed(digits)} ${{ bytes: 'bytes', kb: 'KB', mb: 'MB' }[unit]}`;
}

/** Why a file cannot go to a customer on WhatsApp, as data the extension says in the agent's language. */
export type FileProblem =
  | { problem: 'type'; name: string; contentType: string }
  | { problem: 'empty'; name: string }
  | { problem: 'size'; name: string; size: number; rule: SendableType };

/**
 * Why a file cannot go to a customer on WhatsApp, before it is uploaded, or null if it can.
 * `type` is what the browser says; the server checks the bytes again.
 */
export function fileProblem(file: { name: string; type: string; size: number }): FileProblem | null {
  const rule = SENDABLE_TYPES[file.type];
  if (!rule) return { problem: 'type', name: file.name, contentType: file.type };
  if (file.size === 0) return { problem: 'empty', name: file.name };
  if (file.size > rule.maxBytes) return { problem: 'size', name: file.name, size: file.size, rule };
  return null;
}

/** What an agent can do about a failed message. */
export type NextStep = 'template' | 'retry' | 'check_number' | 'smaller_file' | 'wait' | 'opted_out' | 'none';

/** Why a message failed, by meaning; its sentence is `thread:delivery.reason.<reason>` in lib/i18n/locales. */
export type FailureReason =
  | 'window_closed'
  | 'not_whatsapp_user'
  | 'unreachable_number'
  | 'media_failed'
  | 'invalid_message'
  | 'recipient_restricted'
  | 'marketing_held'
  | 'rate_limited'
  | 'daily_limit'
  | 'account_locked'
  | 'template_missing'
  | 'opted_out'
  | 'invalid_number'
  | 'carrier_failed'
  | 'phone_unreachable'
  | 'undelivered';

/** Twilio's error codes agents meet on WhatsApp, as a reason and the next step that can work. */
export const TWILIO_ERRORS: Readonly<Record<number, { reason: FailureReason; next: NextStep }>> = {
  63016: { reason: 'window_closed', next: 'template' },
  63024: { reason: 'not_whatsapp_user', next: 'check_number' },
  63003: { reason: 'unreachable_number', next: 'check_number' },
  63019: { reason: 'media_failed', next: 'smaller_file' },
  63021: { reason: 'invalid_message', next: 'none' },
  63032: { reason: 'recipient_restricted', next: 'none' },
  63049: { reason: 'marketing_held', next: 'wait' },
  63018: { reason: 'rate_limited', next: 'retry' },
  63038: { reason: 'daily_limit', next: 'wait' },
  63051: { reason: 'account_locked', next: 'none' },
  63027: { reason: 'template_missing', next: 'template' },
  21610: { reason: 'opted_out', next: 'opted_out' },
  21211: { reason: 'invalid_number', next: 'check_number' },
  30008: { reason: 'carrier_failed', next: 'retry' },
  30003: { reason: 'phone_unreachable', next: 'retry' },
};

/**
 * A failed message's reason and next step. For a code this table does not know, `reason` is null
 * and `detail` is Twilio's own (English) text, shown as it is; with neither, the reason is `undelivered`.
 */
export function failureGuide(code: number | null, message: string | null): { reason: FailureReason | null; detail: string | null; next: NextStep } {
  const known = code !== null ? TWILIO_ERRORS[code] : undefined;
  if (known) return { ...known, detail: null };
  return message ? { reason: null, detail: message, next: 'retry' } : { reason: 'undelivered', detail: null, next: 'retry' };
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
