import type { AgentConversationView } from '@/lib/contract/models';

/** The name to show for a conversation's customer. */
export const contactLabel = (c: AgentConversationView) => c.contact.profileName?.trim() || c.contact.phone;

// Formatters are made once: toLocale…String(…, options) builds one per call, which was the side
// panel's biggest cost per rendered row at 100 messages/s.
const timeOfDay = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit' });
const weekday = new Intl.DateTimeFormat([], { weekday: 'short' });
const dayMonth = new Intl.DateTimeFormat([], { day: 'numeric', month: 'short' });
const sameDay = (a: Date, b: Date) => a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();

/** "14:05" today, "Mon" this week, "12 Mar" before. */
export function shortTime(iso: string | null, now = new Date()): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (sameDay(d, now)) return timeOfDay.format(d);
  if (now.getTime() - d.getTime() < 6 * 24 * 3600 * 1000) return weekday.format(d);
  return dayMonth.format(d);
}

const EXTENSIONS: Record<string, string> = {
  'application/pdf': 'pdf',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'audio/mpeg': 'mp3',
  'audio/ogg': 'ogg',
  'text/plain': 'txt',
  'text/csv': 'csv',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
};

/** The file name a customer's file is saved under; types that a browser would render as a page get none. */
export function downloadName(contentType: string): string {
  const ext = EXTENSIONS[contentType.split(';')[0]!.trim().toLowerCase()];
  return ext ? `attachment.${ext}` : 'attachment';
}

/** A moment ahead or behind, for snoozes: "today 19:00", "tomorrow 09:00", "Mon 09:00", "12 Mar 09:00". */
export function whenLabel(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const time = timeOfDay.format(d);
  if (sameDay(d, now)) return `today ${time}`;
  const tomorrow = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  if (sameDay(d, tomorrow)) return `tomorrow ${time}`;
  if (Math.abs(d.getTime() - now.getTime()) < 6 * 24 * 3600 * 1000) return `${weekday.format(d)} ${time}`;
  return `${dayMonth.format(d)} ${time}`;
}

/**
 * ISO 3166 country codes as choices named in the agent's language ("BR" → "Brazil"), sorted by
 * name; a code the browser cannot name keeps its code.
 * @example countryChoices(['DE', 'BR'], 'en') // [{ code: 'BR', name: 'Brazil' }, { code: 'DE', name: 'Germany' }]
 */
export function countryChoices<C extends string>(codes: readonly C[], locale?: string): Array<{ code: C; name: string }> {
  const names = new Intl.DisplayNames(locale ? [locale] : [], { type: 'region', fallback: 'code' });
  const collator = new Intl.Collator(locale ? [locale] : []);
  return codes.map((code) => ({ code, name: names.of(code) ?? code })).sort((a, b) => collator.compare(a.name, b.name));
}
