import type { AgentConversationView } from '@/lib/contract/models';

/** The name to show for a conversation's customer. */
export const contactLabel = (c: AgentConversationView) => c.contact.profileName?.trim() || c.contact.phone;

/** "14:05" today, "Mon" this week, "12 Mar" before. */
export function shortTime(iso: string | null, now = new Date()): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (d.toDateString() === now.toDateString()) return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (now.getTime() - d.getTime() < 6 * 24 * 3600 * 1000) return d.toLocaleDateString([], { weekday: 'short' });
  return d.toLocaleDateString([], { day: 'numeric', month: 'short' });
}
