import type { CannedReply } from '../contract/api';
import type { AgentConversationView, MessageView } from '../contract/models';

/**
 * What the side panel shows, decided from the inbox: filters, local search, the thread's items
 * (day separators, the "new messages" marker), canned-reply suggestions. Pure, so it is tested
 * without a browser; components only render the result.
 */

export type ConversationFilter = 'mine' | 'unassigned' | 'all';

export function filterConversations(list: AgentConversationView[], filter: ConversationFilter, me: string): AgentConversationView[] {
  if (filter === 'mine') return list.filter((c) => c.assigneeId === me);
  if (filter === 'unassigned') return list.filter((c) => c.assigneeId === null);
  return list;
}

export function filterCounts(list: AgentConversationView[], me: string): Record<ConversationFilter, number> {
  let mine = 0;
  let unassigned = 0;
  for (const c of list) {
    if (c.assigneeId === me) mine++;
    else if (c.assigneeId === null) unassigned++;
  }
  return { mine, unassigned, all: list.length };
}

const fold = (s: string) => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

/**
 * Instant search over what the extension has cached (name, number, preview), shown while the
 * server's search over the whole history is on its way.
 */
export function matchesLocally(c: AgentConversationView, query: string): boolean {
  const q = fold(query.trim());
  if (!q) return true;
  const digits = query.replace(/\D/g, '');
  if (digits.length >= 3 && c.contact.phone.replace(/\D/g, '').includes(digits)) return true;
  return fold(c.contact.profileName ?? '').includes(q) || fold(c.lastMessagePreview ?? '').includes(q) || c.contact.phone.includes(q);
}

export type ThreadItem =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'new'; key: 'new-messages'; count: number }
  | { kind: 'message'; key: string; message: MessageView };

/** "Today", "Yesterday", "Monday 23 November", or with the year when it is not this year. */
export function dayLabel(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const startOf = (x: Date) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const days = Math.round((startOf(now) - startOf(d)) / 86_400_000);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  return d.toLocaleDateString([], { weekday: 'long', day: 'numeric', month: 'long', ...(d.getFullYear() !== now.getFullYear() ? { year: 'numeric' } : {}) });
}

const localDay = (iso: string) => {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
};

/**
 * A thread's rows, oldest first: a separator at each new day, and a "new messages" marker before
 * the first of the `unreadAtOpen` latest inbound messages (what was unread when the agent opened
 * the conversation; it stays put while the thread is open, even though opening marks it read).
 */
export function threadItems(messages: MessageView[], unreadAtOpen: number, now = new Date()): ThreadItem[] {
  let markerBefore: string | null = null;
  if (unreadAtOpen > 0) {
    let seen = 0;
    for (let i = messages.length - 1; i >= 0; i--) {
      if (messages[i]!.direction !== 'inbound') continue;
      if (++seen === unreadAtOpen) {
        markerBefore = messages[i]!.id;
        break;
      }
    }
    // Fewer inbound messages loaded than were unread: the marker goes above all of them.
    if (!markerBefore) markerBefore = messages.find((m) => m.direction === 'inbound')?.id ?? null;
  }
  const items: ThreadItem[] = [];
  let day: string | null = null;
  for (const m of messages) {
    const d = localDay(m.createdAt);
    if (d !== day) {
      items.push({ kind: 'day', key: `day:${d}`, label: dayLabel(m.createdAt, now) });
      day = d;
    }
    if (m.id === markerBefore) items.push({ kind: 'new', key: 'new-messages', count: unreadAtOpen });
    items.push({ kind: 'message', key: m.id, message: m });
  }
  return items;
}

/** Merges older pages (kept by the panel) with the cached latest messages: by id, oldest first. */
export function mergeThread(older: MessageView[], latest: MessageView[]): MessageView[] {
  if (older.length === 0) return latest;
  const byId = new Map<string, MessageView>();
  for (const m of older) byId.set(m.id, m);
  for (const m of latest) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/**
 * The canned replies offered while the reply box holds `/word` (and nothing else): shortcuts that
 * start with the word first, then those whose text contains it.
 */
export function cannedSuggestions(list: CannedReply[], text: string): CannedReply[] | null {
  const m = /^\/([\w-]*)$/.exec(text);
  if (!m) return null;
  const word = m[1]!.toLowerCase();
  const byShortcut = list.filter((c) => c.shortcut.startsWith(word));
  // Text matches only from 3 letters: one letter matches nearly every reply.
  const byText = word.length >= 3 ? list.filter((c) => !c.shortcut.startsWith(word) && fold(c.body).includes(fold(word))) : [];
  return [...byShortcut, ...byText].slice(0, 8);
}

/** A link to the place on OpenStreetMap (no API key, opens in a new tab). */
export const mapLink = (lat: number, lng: number) => `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lng}#map=17/${lat}/${lng}`;
