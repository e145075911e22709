import type { AgentConversationView } from '@/lib/contract/models';

/** The name to show for a conversation's customer. */
export const contactLabel = (c: AgentConversationView) => c.contact.profileName?.trim() || c.contact.phone;

/**
 * The direction of that name: the customer's own (`auto`: a Latin name inside an Arabic page reads
 * left to right), and a bare number always left to right (digits alone would take the page's
 * direction and put the `+` at the end in Arabic).
 */
export const contactDir = (c: AgentConversationView): 'auto' | 'ltr' => (c.contact.profileName?.trim() ? 'auto' : 'ltr');

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
