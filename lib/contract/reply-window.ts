/**
 * WhatsApp's customer-service window: free-form replies are allowed for 24 hours after the
 * customer's last message; after that, only an approved template. Server and extension both
 * decide with this function, so the composer and the server always agree.
 */
export const REPLY_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface ReplyWindow {
  open: boolean;
  /** When the window closes (or closed); null if the customer never wrote. */
  closesAt: string | null;
}

export function replyWindow(lastInboundAt: string | null, now: number = Date.now()): ReplyWindow {
  if (!lastInboundAt) return { open: false, closesAt: null };
  const closes = new Date(lastInboundAt).getTime() + REPLY_WINDOW_MS;
  return { open: now < closes, closesAt: new Date(closes).toISOString() };
}

/** A template the channel may send outside the window (Twilio Content API, approved for WhatsApp). */
export interface TemplateView {
  sid: string;
  name: string;
  language: string;
  /** Text with `{{1}}`, `{{2}}`… placeholders. */
  body: string;
  /** Placeholder names with Twilio's sample values. */
  variables: Record<string, string>;
  /**
   * What each placeholder means, as the organisation labelled it ('1' → 'Customer name'); a
   * placeholder without a label has none here (the composer calls it by its place, `thread:template.value`: "Value 1").
   */
  labels: Record<string, string>;
}

const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;

/** A template's text with its variables filled in (what the customer reads). */
export function renderTemplate(body: string, values: Record<string, string>): string {
  return body.replace(PLACEHOLDER, (m, key: string) => values[key] ?? m);
}

/**
 * A template's text as its literal pieces and its variables, in order, for a preview that shows
 * each variable by what it means until it is filled in.
 * @example templateParts('Hi {{1}}!') // ['Hi ', { variable: '1' }, '!']
 */
export function templateParts(body: string): Array<string | { variable: string }> {
  return body
    .split(PLACEHOLDER)
    .map((part, i) => (i % 2 === 1 ? { variable: part } : part))
    .filter((p) => p !== '');
}
