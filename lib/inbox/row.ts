import type { AgentConversationView } from '../contract/models';

/**
 * What a row of the conversation list says about who waits on whom (issue 31): who wrote the last
 * message when it went out ("You", a colleague), how long the customer has waited for an answer,
 * and the contact's initials for its avatar. Pure, from the conversation alone.
 */

/** The last message is a reply (the customer has not written since). */
const lastIsReply = (c: AgentConversationView) => !!c.lastMessageAt && (!c.lastInboundAt || c.lastMessageAt > c.lastInboundAt);

/**
 * Who wrote the last message, when it is a reply: "You" or the colleague's name; null when the
 * customer wrote last.
 * @example previewAuthor(c, me, { [bob]: 'Bob' }) // 'Bob'
 */
export function previewAuthor(
  c: AgentConversationView,
  me: string,
  agentNames: Record<string, string>,
  words: { you: string; aColleague: string },
): string | null {
  if (!lastIsReply(c)) return null;
  if (c.lastReplyBy === me) return words.you;
  return (c.lastReplyBy && agentNames[c.lastReplyBy]) || words.aColleague;
}

/**
 * Since when the customer has waited for an answer: their last message, when it is the last of an
 * open conversation (set aside, snoozed or resolved, nobody owes them one yet).
 */
export function waitingSince(c: AgentConversationView): string | null {
  if (c.status !== 'open' || !c.lastInboundAt || lastIsReply(c)) return null;
  return c.lastInboundAt;
}

const units = new Map<string, Record<'minute' | 'hour' | 'day', Intl.NumberFormat>>();
const unitFormats = (locale: string) => {
  let f = units.get(locale);
  if (!f) {
    const unit = (u: 'minute' | 'hour' | 'day') => new Intl.NumberFormat(locale, { style: 'unit', unit: u, unitDisplay: 'short' });
    f = { minute: unit('minute'), hour: unit('hour'), day: unit('day') };
    units.set(locale, f);
  }
  return f;
};
/**
 * Labels already formatted ("3 min" in English): every row on screen says its wait again each time
 * the list renders, which is with every message, and a unit format costs more than the rest of a row.
 */
const labels = new Map<string, string>();
const LABELS_KEPT = 2000;
const formatted = (locale: string, unit: 'minute' | 'hour' | 'day', n: number) => {
  const key = `${locale} ${unit} ${n}`;
  let label = labels.get(key);
  if (label === undefined) {
    if (labels.size >= LABELS_KEPT) labels.clear();
    label = unitFormats(locale)[unit].format(n);
    labels.set(key, label);
  }
  return label;
};

/** A wait as a short duration in the agent's language: "1 min", "45 min", "3 hr", "2 days" (rounded down, at least a minute). */
export function waitLabel(sinceIso: string, now: number, locale = 'en'): string {
  return durationLabel(now - new Date(sinceIso).getTime(), locale);
}

/**
 * A conversation's next SLA due time as its row says it (docs/routing.md): a reply (first or next
 * response) or the resolution, due in or overdue by a duration ("4 min"). Null when none runs.
 */
export function dueLabel(c: AgentConversationView, now: number, locale = 'en'): { kind: 'reply' | 'resolution'; overdue: boolean; duration: string } | null {
  if (!c.slaDueAt || !c.slaDueKind || c.status === 'resolved') return null;
  const left = new Date(c.slaDueAt).getTime() - now;
  return { kind: c.slaDueKind === 'resolution' ? 'resolution' : 'reply', overdue: left <= 0, duration: durationLabel(Math.abs(left), locale) };
}

/** A duration as a short label: "1 min", "45 min", "3 hr", "2 days" (rounded down, at least a minute). */
function durationLabel(ms: number, locale: string): string {
  const minutes = Math.max(1, Math.floor(ms / 60_000));
  if (minutes < 60) return formatted(locale, 'minute', minutes);
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return formatted(locale, 'hour', hours);
  return formatted(locale, 'day', Math.floor(hours / 24));
}

/**
 * Up to two initials from the contact's name (first and last word), or null when it has none with
 * a letter (a bare number: the avatar shows a person icon).
 * @example initials('María José de la Cruz') // 'MC'
 */
export function initials(name: string | null): string | null {
  const words = (name ?? '')
    .split(/\s+/)
    .map((w) => w.match(/\p{L}/u)?.[0])
    .filter((l): l is string => !!l);
  if (words.length === 0) return null;
  return (words[0]! + (words.length > 1 ? words.at(-1)! : '')).toLocaleUpperCase();
}
