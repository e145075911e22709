import type { TFunction } from 'i18next';
import type { CannedReply } from '../contract/api';
import type { ActivityView, AgentConversationView, AgentSummary, ConversationStatus, MessageView } from '../contract/models';

/**
 * What the side panel shows, decided from the inbox: search results, the thread's items (day
 * separators, the "new messages" marker), activity lines, canned-reply suggestions (the list's
 * filter: list-filter.ts). Pure, so it is tested without a browser; components only render the result.
 */

/** Which statuses a search shows: all of them (the default), or the one the agent narrowed to. */
export type SearchScope = ConversationStatus | 'all';

const countByStatus = (list: AgentConversationView[]) => {
  const counts: Record<ConversationStatus, number> = { open: 0, snoozed: 0, resolved: 0 };
  for (const c of list) counts[c.status]++;
  return counts;
};

/**
 * A search as the list shows it: matches of every status (each row says where it is), or of the
 * one status the agent narrowed to, and how many match in each. The server's counts cover matches
 * beyond those it sent; when it sent them all (or has not answered yet), they are counted from the
 * conversations themselves, which stay current as colleagues resolve and reopen.
 */
export function searchView(found: AgentConversationView[], scope: SearchScope, serverCounts: Record<ConversationStatus, number> | null) {
  const local = countByStatus(found);
  const total = (c: Record<ConversationStatus, number>) => c.open + c.snoozed + c.resolved;
  const counts = serverCounts && total(serverCounts) > found.length ? serverCounts : local;
  return { conversations: scope === 'all' ? found : found.filter((c) => c.status === scope), counts, total: total(counts) };
}

/** Why a conversation is back in Open, shown on its row until the agent has read it. */
export function backNotice(c: AgentConversationView): 'customer_wrote' | 'snooze_ended' | null {
  if (c.status !== 'open' || !c.statusChangedAt || (c.lastReadAt && c.lastReadAt >= c.statusChangedAt && c.unreadCount === 0)) return null;
  if (c.statusReason === 'customer_wrote' || c.statusReason === 'snooze_ended') return c.statusReason;
  return null;
}

/** An automatic decision's line, saying the rule that made it ("Switchboard assigned this to Bob by round robin"). */
function routingText(t: TFunction<'inbox'>, a: Extract<ActivityView, { kind: 'assigned' }>, me: string, name: (id: string) => string): string {
  if (a.to === null) {
    if (a.rule !== 'hand_back' || a.from === null) return t('activity.unassignedByRouting');
    return a.from === me ? t('activity.handedBackFromYou') : t('activity.handedBack', { from: name(a.from) });
  }
  const mine = a.to === me;
  const to = { to: name(a.to) };
  if (a.rule === 'round_robin') return mine ? t('activity.assignedToYouByRoundRobin') : t('activity.assignedByRoundRobin', to);
  if (a.rule === 'least_busy') return mine ? t('activity.assignedToYouByLeastBusy') : t('activity.assignedByLeastBusy', to);
  if (a.rule === 'previous_assignee') return mine ? t('activity.assignedBackToYou') : t('activity.assignedBackToPrevious', to);
  return mine ? t('activity.assignedToYouByRouting') : t('activity.assignedByRouting', to);
}

/** An activity line of the thread as a sentence ("Alice resolved this"), in the agent's language. */
export function activityText(t: TFunction<'inbox'>, m: MessageView, agents: AgentSummary[], me: string, formatTime: (iso: string) => string): string {
  const a = m.activity;
  if (!a) return '';
  const colleague = (id: string) => agents.find((x) => x.id === id)?.displayName ?? null;
  // Who did it: "You" reads differently in most languages, so each sentence has a form for it.
  const byMe = m.sentBy !== null && m.sentBy === me;
  const by = m.sentBy === null ? null : (colleague(m.sentBy) ?? t('activity.aColleague'));
  const who = { by: by ?? '' };
  if (a.kind === 'assigned') {
    if (m.sentBy === null) return routingText(t, a, me, (id) => colleague(id) ?? t('activity.aColleague'));
    if (a.to === null) return byMe ? t('activity.youUnassigned') : t('activity.unassigned', who);
    if (a.to === m.sentBy) return byMe ? t('activity.youTook') : t('activity.took', who);
    if (a.to === me) return t('activity.assignedToYou', who);
    const to = colleague(a.to) ?? t('activity.aColleague');
    return byMe ? t('activity.youAssigned', { to }) : t('activity.assigned', { ...who, to });
  }
  if (a.status === 'resolved') return byMe ? t('activity.youResolved') : by ? t('activity.resolved', who) : t('activity.resolvedBySomeone');
  if (a.status === 'snoozed') {
    const until = a.until ? formatTime(a.until) : null;
    if (byMe) return until ? t('activity.youSnoozed', { until }) : t('activity.youSnoozedLater');
    return until ? t('activity.snoozed', { by: by ?? t('activity.someone'), until }) : t('activity.snoozedLater', { by: by ?? t('activity.someone') });
  }
  if (a.reason === 'customer_wrote') return t('activity.reopenedCustomerWrote');
  if (a.reason === 'snooze_ended') return t('activity.reopenedSnoozeEnded');
  if (a.reason === 'replied') return byMe ? t('activity.reopenedByYourReply') : t('activity.reopenedByReply', { by: by ?? t('activity.someone') });
  return byMe ? t('activity.youReopened') : t('activity.reopened', { by: by ?? t('activity.someone') });
}

/** Two presets closer than this mean the same to an agent ("1 hour" at 17:55 and "Tonight" at 19:00 are not; 18:30 and 19:00 are). */
const SAME_SNOOZE_MS = 60 * 60_000;

/**
 * Snooze choices in the agent's own time zone: an hour from now, tonight (until 18:00), tomorrow
 * morning, next Monday morning. None duplicates another: on a Sunday "tomorrow morning" is next
 * Monday morning, so only the first of two choices that land (about) together is offered.
 */
export type SnoozePreset = 'hour' | 'tonight' | 'tomorrow' | 'nextWeek';
export function snoozePresets(now: Date): Array<{ id: SnoozePreset; until: Date }> {
  const at = (days: number, hour: number) => new Date(now.getFullYear(), now.getMonth(), now.getDate() + days, hour, 0, 0, 0);
  const presets: Array<{ id: SnoozePreset; until: Date }> = [{ id: 'hour', until: new Date(now.getTime() + 3_600_000) }];
  if (now.getHours() < 18) presets.push({ id: 'tonight', until: at(0, 19) });
  presets.push({ id: 'tomorrow', until: at(1, 9) });
  const toMonday = (8 - now.getDay()) % 7 || 7;
  presets.push({ id: 'nextWeek', until: at(toMonday, 9) });
  return presets.filter((p, i) => presets.slice(0, i).every((q) => Math.abs(q.until.getTime() - p.until.getTime()) >= SAME_SNOOZE_MS));
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
  { kind: 'day'; key: string; label: string } | { kind: 'new'; key: 'new-messages'; count: number } | { kind: 'message'; key: string; message: MessageView };

/** "Today", "Yesterday", "Monday 23 November", or with the year when it is not this year, in `locale`. */
export function dayLabel(iso: string, now = new Date(), locale = 'en'): string {
  const d = new Date(iso);
  const startOf = (x: Date) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const days = Math.round((startOf(now) - startOf(d)) / 86_400_000);
  if (days === 0 || days === 1) {
    const word = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }).format(-days, 'day');
    return word.charAt(0).toLocaleUpperCase(locale) + word.slice(1);
  }
  return d.toLocaleDateString(locale, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    ...(d.getFullYear() !== now.getFullYear() ? { year: 'numeric' } : {}),
  });
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
export function threadItems(messages: MessageView[], unreadAtOpen: number, now = new Date(), locale = 'en'): ThreadItem[] {
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
      items.push({ kind: 'day', key: `day:${d}`, label: dayLabel(m.createdAt, now, locale) });
      day = d;
    }
    if (m.id === markerBefore) items.push({ kind: 'new', key: 'new-messages', count: unreadAtOpen });
    items.push({ kind: 'message', key: m.id, message: m });
  }
  return items;
}

/**
 * The customer's messages below the last one the agent saw at the bottom of the thread: what the
 * "N new messages" control counts (every one of them, however many arrived at once).
 */
export function unseenInbound(messages: MessageView[], seenId: string | null): number {
  const at = seenId ? messages.findIndex((m) => m.id === seenId) : -1;
  if (at < 0) return 0;
  let n = 0;
  for (let i = at + 1; i < messages.length; i++) if (messages[i]!.direction === 'inbound') n++;
  return n;
}

/**
 * Whether a thread stays held at its newest message after a scroll: at the very bottom it is; the
 * agent scrolling up lets go; content growing below a held view (a message arriving, a bubble
 * measured taller) keeps it held, so the view follows.
 */
export function stillAtBottom(wasHeld: boolean, previousTop: number, top: number, scrollHeight: number, clientHeight: number): boolean {
  if (scrollHeight - top - clientHeight <= 1) return true;
  if (top < previousTop - 1) return false;
  return wasHeld;
}

/** The agent replied since the thread opened (a reply not among `atOpen`): the "new messages" line has done its job. */
export function repliedSince(messages: MessageView[], atOpen: ReadonlySet<string>): boolean {
  return messages.some((m) => m.direction === 'outbound' && !atOpen.has(m.id));
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

/** What a list preview stands for when it is not text: shown as an icon, not the server's emoji. */
export type PreviewKind = 'location' | 'photo' | 'attachment';

const PREVIEW_MARKERS: Array<[string, PreviewKind]> = [
  ['📍', 'location'],
  ['📷', 'photo'],
  ['📎', 'attachment'],
];

/**
 * Splits the server's preview of a location or file ("📍 London Eye", "📷 Photo") into its kind and
 * text: emoji render as empty boxes where no emoji font is installed (issue 31).
 * @example previewParts('📍 London Eye') // { kind: 'location', text: 'London Eye' }
 */
export function previewParts(preview: string): { kind: PreviewKind | null; text: string } {
  for (const [marker, kind] of PREVIEW_MARKERS) if (preview.startsWith(`${marker} `)) return { kind, text: preview.slice(marker.length + 1) };
  return { kind: null, text: preview };
}

/**
 * Whether a message is the outbox's own copy of a reply (`pendingMessage` in store.ts: no sender,
 * still accepted) rather than the server's: its file is not stored on the server yet, so it cannot
 * be loaded until the server's copy replaces it (same id).
 */
export function isOutboxCopy(m: MessageView): boolean {
  return m.direction === 'outbound' && m.sentBy === null && m.status === 'accepted';
}
