import { browser } from 'wxt/browser';
import type { AgentConversationView, MessageView } from '../contract/models';
import type { SlaAlertPayload } from '../contract/routing';
import { formats } from '../i18n/format';
import { burstNoticeText, noticeFor, slaNoticeFor, type Notice } from '../notifications/rules';
import { mirror } from '../storage/mirror';
import { createI18n, pickLanguage } from '../i18n';
import { agentItem, languageItem, notificationSettingsItem, teamItem, viewingItem } from '../storage/items';
import { playNotificationSound } from './sound';

export const NOTIFICATION_PREFIX = 'conversation:';
/** A conversation's own notification. */
const notificationId = (conversationId: string) => `${NOTIFICATION_PREFIX}${conversationId}`;

/** What the side panel shows, kept in memory (read on every inbound message, so not from storage each time). */
export const currentViewing = mirror(viewingItem);
const currentSettings = mirror(notificationSettingsItem);
const currentAgent = mirror(agentItem);
const currentTeam = mirror(teamItem);
const currentLanguage = mirror(languageItem);
/** Notifications speak the agent's language (their choice, else the browser's). */
const i18n = createI18n('en');

/**
 * A burst of events is shown a second at a time, not one by one: after a notification, the events
 * of the next second wait (a customer's newest message per conversation, every activity line) and
 * are shown together when it ends: at most one assignment or snooze notice (the newest) and one
 * customer notification or the burst's.
 */
export const NOTIFY_EVERY_MS = 1000;
/** At most this many events wait for the second's end (customers' messages give way first; the unread counts show them). */
const WAITING_MAX = 50;
let lastNotified = 0;
let waiting = new Map<string, { m: MessageView; conversation: AgentConversationView | undefined }>();
let waitTimer: ReturnType<typeof setTimeout> | null = null;

/**
 * Shows the notification a new message or activity line deserves by the agent's settings (see
 * `noticeFor`), if any: one per conversation (a newer one replaces it), customers in a burst in
 * one notification, with the extension's sound when the agent asked for it.
 */
export async function notifyMessage(m: MessageView, conversation: AgentConversationView | undefined): Promise<void> {
  if (m.direction !== 'inbound' && m.direction !== 'activity') return;
  const wait = lastNotified + NOTIFY_EVERY_MS - Date.now();
  // (A timer late to fire still holds what waits: nothing overtakes it.)
  if (wait > 0 || waitTimer) {
    // Before any storage read: a burst costs nothing but this.
    const key = m.direction === 'inbound' ? `inbound:${m.conversationId}` : `activity:${m.id}`;
    waiting.delete(key);
    waiting.set(key, { m, conversation });
    if (waiting.size > WAITING_MAX) {
      const first = [...waiting.keys()];
      waiting.delete(first.find((k) => k.startsWith('inbound:')) ?? first[0]!);
    }
    waitTimer ??= setTimeout(
      () => {
        waitTimer = null;
        const events = [...waiting.values()];
        waiting = new Map();
        notifyAll(events).catch((err: unknown) => console.warn('Switchboard: notifications', err));
      },
      Math.max(wait, 0),
    );
    return;
  }
  await notifyAll([{ m, conversation }]);
}

/** The notices some events deserve, shown together (after the agent's settings, read once). */
async function notifyAll(events: Array<{ m: MessageView; conversation: AgentConversationView | undefined }>): Promise<void> {
  const [settings, viewing, agent, team, language] = await Promise.all([currentSettings(), currentViewing(), currentAgent(), currentTeam(), currentLanguage()]);
  if (!agent) return;
  const t = i18n.getFixedT(pickLanguage(language, navigator.languages), 'inbox');
  const now = new Date();
  const notices = events.flatMap(({ m, conversation }) => noticeFor(m, conversation, { me: agent.id, settings, viewing, now, agents: team.agents, t }) ?? []);
  if (!notices.length) return;
  lastNotified = Date.now();
  await inTurn(() => show(notices));
}

/** An SLA alert for the agent (a due time near, or passed): shown at once, never merged into a burst. */
export async function notifySla(alert: SlaAlertPayload, breached: boolean, conversation: AgentConversationView | undefined): Promise<void> {
  const [settings, language] = await Promise.all([currentSettings(), currentLanguage()]);
  const lang = pickLanguage(language, navigator.languages);
  const t = i18n.getFixedT(lang, 'inbox');
  const time = (iso: string) => formats(lang).time.format(new Date(iso));
  const notice = slaNoticeFor(alert, breached, conversation, { settings, now: new Date(), t, time });
  if (notice) await inTurn(() => show([notice]));
}

/**
 * How long a customer's notification counts as still popped up (Chrome's own and most desktops'
 * show one for five to eight seconds): the same customer's next message within this time of the
 * pop-up changes its text in place, without a new pop-up or sound (the agent was just told). A text
 * change costs the worker almost nothing; a new notification has its icon fetched, decoded and
 * sent to the browser by the notifications API in the worker's own thread (about a quarter of the
 * worker's script in its CPU profile at a notification a second: docs/delivery-scope.md,
 * "Notifications, and the panel's render of a row"). After it, a message pops up again.
 * Assignments and snoozes ending (the newest of a second) and SLA alerts pop up.
 */
export const REFRESH_SHOWN_MS = 5000;
/**
 * A burst of customers: several customers within one second, or a customer while this many
 * customers' notifications are up, share one notification for the burst ("5 more customers
 * wrote", "Hana, Gus, Femi, and 2 others", the latest first), changed in place while it is up,
 * instead of a pop-up (and a sound) each. While customers keep writing (each within
 * `REFRESH_SHOWN_MS` of the last) the burst goes on: when its pop-up is over, the next customer
 * pops it up again, counting from them. Closed or clicked, it is over.
 */
export const BURST_AFTER = 3;
/** The burst's notification: a click opens the side panel on the conversations. */
export const BURST_NOTIFICATION_ID = 'inbox:burst';

// What is up, kept by this worker for seconds only: a worker stopped and started again forgets it,
// and a customer's next message pops up anew (as after `REFRESH_SHOWN_MS`).
/** When each conversation's customer notification popped up (only those within `REFRESH_SHOWN_MS`). */
const poppedAt = new Map<string, number>();
/** The burst under way: when its notification popped up, when a customer last joined, and its customers since that pop-up, latest first. */
let burst: { poppedAt: number; lastAt: number; customers: Map<string, string> } | null = null;

/** One notification change at a time (each reads what is up, waits on the browser, then writes it). */
let queue: Promise<void> = Promise.resolve();
function inTurn(work: () => Promise<void>): Promise<void> {
  queue = queue.then(work).catch((err: unknown) => console.warn('Switchboard: notifications', err));
  return queue;
}

/** The agent closed or clicked a notification: what was up is not any more. */
export function forgetNotification(id: string): void {
  if (id === BURST_NOTIFICATION_ID) burst = null;
  else poppedAt.delete(id);
}

/**
 * Shows notices shown together: the newest of another kind (an assignment, a snooze ending, an SLA
 * alert) pops up on its own, and customers' through `showCustomers` (but not in the conversation
 * it is about: it says more than their message); one sound if something popped up that asks for it.
 */
async function show(notices: Notice[]): Promise<void> {
  let sound = false;
  const other = notices.filter((n) => !n.customer).at(-1);
  if (other) {
    // Another kind of notice replaces the customer's: the customer's next message pops up again.
    const id = notificationId(other.conversationId);
    poppedAt.delete(id);
    await create(id, other);
    sound = other.sound;
  }
  const customers = notices.filter((n) => n.customer && n.conversationId !== other?.conversationId);
  if (customers.length) sound = (await showCustomers(customers)) || sound;
  if (sound) await playNotificationSound().catch(() => {});
}

/**
 * Customers' notices: each changes its own notification while it is up; the rest pop up their own
 * or join the burst's (see `BURST_AFTER`). True when something popped up that asks for the sound.
 */
async function showCustomers(notices: Notice[]): Promise<boolean> {
  const now = Date.now();
  for (const [shown, at] of poppedAt) if (now - at >= REFRESH_SHOWN_MS) poppedAt.delete(shown);
  if (burst && now - burst.lastAt >= REFRESH_SHOWN_MS) burst = null;
  const update = (browser.notifications as Partial<typeof browser.notifications>).update;
  // `update` says false when the notification is gone (the agent closed or clicked it): pop up anew.
  const changed = (id: string, text: { title: string; message: string }) => (update ? update(id, text).catch(() => false) : Promise.resolve(false));
  const rest: Notice[] = [];
  for (const notice of notices) {
    const id = notificationId(notice.conversationId);
    if (!(poppedAt.has(id) && (await changed(id, { title: notice.title, message: notice.message })))) rest.push(notice);
  }
  if (!rest.length) return false;
  const lang = pickLanguage(await currentLanguage(), navigator.languages);
  const text = (customers: Map<string, string>) => burstNoticeText([...customers.values()], { t: i18n.getFixedT(lang, 'inbox'), list: formats(lang).list });
  // The burst's customers, latest first: these (the last to come first), then the others before them.
  const joined = (before: Map<string, string>) => {
    const latest = [...rest].reverse();
    const ids = new Set(latest.map((n) => n.conversationId));
    return new Map([...latest.map((n): [string, string] => [n.conversationId, n.customer!]), ...[...before].filter(([id]) => !ids.has(id))]);
  };
  // Firefox has no `update`: a customer's message pops up on its own, as before; several of one
  // second pop up the burst's (one `create`: Firefox may show none of several made at once).
  if (!update) {
    if (rest.length === 1) return popOwn(rest[0]!, now);
    await create(BURST_NOTIFICATION_ID, text(joined(new Map())));
    return rest.some((n) => n.sound);
  }
  if (burst && now - burst.poppedAt < REFRESH_SHOWN_MS) {
    const customers = joined(burst.customers);
    if (await changed(BURST_NOTIFICATION_ID, text(customers))) {
      burst = { ...burst, lastAt: now, customers };
      return false;
    }
    burst = null; // closed or clicked: the agent saw it
  }
  if (!burst && rest.length === 1 && (await stillUp()) < BURST_AFTER) return popOwn(rest[0]!, now);
  // A burst begins, or goes on after its pop-up: it pops up, counting from these customers.
  burst = { poppedAt: now, lastAt: now, customers: joined(new Map()) };
  await create(BURST_NOTIFICATION_ID, text(burst.customers));
  return rest.some((n) => n.sound);
}

/** A customer's notification of their own, popped up. */
async function popOwn(notice: Notice, now: number): Promise<boolean> {
  const id = notificationId(notice.conversationId);
  poppedAt.set(id, now);
  await create(id, notice);
  return notice.sound;
}

/**
 * How many customers' notifications are up: those popped up within `REFRESH_SHOWN_MS` the agent
 * has not closed or clicked (asked of the browser only when the count would begin a burst).
 */
async function stillUp(): Promise<number> {
  if (poppedAt.size < BURST_AFTER) return poppedAt.size;
  const shown = await browser.notifications.getAll().catch(() => null);
  if (shown) for (const id of poppedAt.keys()) if (!(id in shown)) poppedAt.delete(id);
  return poppedAt.size;
}

/** Pops up a notification (a new one, or one with the same id again); refused (notifications off at the OS level), the sound still plays. */
async function create(id: string, text: { title: string; message: string }): Promise<void> {
  await browser.notifications
    .create(id, {
      type: 'basic',
      iconUrl: browser.runtime.getURL('/icon/128.png'),
      title: text.title,
      message: text.message,
      priority: 1,
    })
    .catch(() => {});
}
