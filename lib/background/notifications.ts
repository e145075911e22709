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

/** What the side panel shows, kept in memory (read on every inbound message, so not from storage each time). */
export const currentViewing = mirror(viewingItem);
const currentSettings = mirror(notificationSettingsItem);
const currentAgent = mirror(agentItem);
const currentTeam = mirror(teamItem);
const currentLanguage = mirror(languageItem);
/** Notifications speak the agent's language (their choice, else the browser's). */
const i18n = createI18n('en');

/**
 * A burst of events gets a notification a second at most, not one each: within the second, the
 * newest waits and is shown when it ends (the unread counts show the rest).
 */
export const NOTIFY_EVERY_MS = 1000;
let lastNotified = 0;
let waiting: { m: MessageView; conversation: AgentConversationView | undefined } | null = null;

/**
 * Shows the notification a new message or activity line deserves by the agent's settings (see
 * `noticeFor`), if any: one per conversation (a newer one replaces it), with the extension's sound
 * when the agent asked for it.
 */
export async function notifyMessage(m: MessageView, conversation: AgentConversationView | undefined): Promise<void> {
  if (m.direction !== 'inbound' && m.direction !== 'activity') return;
  const wait = lastNotified + NOTIFY_EVERY_MS - Date.now();
  if (wait > 0) {
    // Before any storage read: a burst costs nothing but this.
    if (!waiting)
      setTimeout(() => {
        const next = waiting;
        waiting = null;
        if (next) void notifyMessage(next.m, next.conversation);
      }, wait);
    waiting = { m, conversation };
    return;
  }
  const [settings, viewing, agent, team, language] = await Promise.all([currentSettings(), currentViewing(), currentAgent(), currentTeam(), currentLanguage()]);
  if (!agent) return;
  const t = i18n.getFixedT(pickLanguage(language, navigator.languages), 'inbox');
  const notice = noticeFor(m, conversation, { me: agent.id, settings, viewing, now: new Date(), agents: team.agents, t });
  if (!notice) return;
  lastNotified = Date.now();
  await show(notice, { refresh: m.direction === 'inbound' });
}

/** An SLA alert for the agent (a due time near, or passed): shown at once, never merged into a burst. */
export async function notifySla(alert: SlaAlertPayload, breached: boolean, conversation: AgentConversationView | undefined): Promise<void> {
  const [settings, language] = await Promise.all([currentSettings(), currentLanguage()]);
  const lang = pickLanguage(language, navigator.languages);
  const t = i18n.getFixedT(lang, 'inbox');
  const time = (iso: string) => formats(lang).time.format(new Date(iso));
  const notice = slaNoticeFor(alert, breached, conversation, { settings, now: new Date(), t, time });
  if (notice) await show(notice, { refresh: false });
}

/**
 * How long a customer's notification counts as still popped up (Chrome's own and most desktops'
 * show one for five to eight seconds): the same customer's next message within this time of the
 * pop-up changes its text in place, without a new pop-up or sound (the agent was just told). A text
 * change costs the worker almost nothing; a new notification has its icon fetched, decoded and
 * sent to the browser by the notifications API in the worker's own thread (about a quarter of the
 * worker's script in its CPU profile at a notification a second: docs/delivery-scope.md,
 * "Notifications, and the panel's render of a row"). After it, a message pops up again.
 * Assignments, snoozes ending and SLA alerts always pop up.
 */
export const REFRESH_SHOWN_MS = 5000;
/**
 * A burst of customers: with this many customers' notifications up at once, the next customer's
 * message joins one notification for the burst ("5 more customers wrote", "Ana, Ben, Carla and
 * 2 others"), changed in place while it is up, instead of a pop-up (and a sound) of its own each
 * second. The burst goes on while customers keep writing (each within `REFRESH_SHOWN_MS` of the
 * last): its notification pops up again, with everyone since it began, when the last pop-up is
 * over; closed or clicked, the next customer begins a new one.
 */
export const BURST_AFTER = 3;
/** The burst's notification: a click opens the side panel on the conversations. */
export const BURST_NOTIFICATION_ID = 'inbox:burst';
/** When each conversation's customer notification popped up (only those within `REFRESH_SHOWN_MS`). */
const poppedAt = new Map<string, number>();
/** The burst under way: when its notification popped up, when a customer last joined, and its customers, latest first. */
let burst: { poppedAt: number; lastAt: number; customers: Map<string, string> } | null = null;

/**
 * Shows a notice: `refresh` (a customer's message) changes the conversation's notification in place
 * while it is still up, or joins the burst's; otherwise, or once it is gone, it pops up anew, with
 * the sound if asked for.
 */
async function show(notice: Notice, { refresh }: { refresh: boolean }): Promise<void> {
  const popped = await pop(notice, refresh).catch(() => true); // notifications may be disabled at the OS level: the sound still plays
  if (popped && notice.sound) await playNotificationSound().catch(() => {});
}

/** The notification a notice goes to: its text changed while it is up (false), else popped up anew (true). */
async function pop(notice: Notice, refresh: boolean): Promise<boolean> {
  const id = `${NOTIFICATION_PREFIX}${notice.conversationId}`;
  const now = Date.now();
  for (const [shown, at] of poppedAt) if (now - at >= REFRESH_SHOWN_MS) poppedAt.delete(shown);
  if (burst && now - burst.lastAt >= REFRESH_SHOWN_MS) burst = null;
  // `update` says false when the notification is gone (the agent closed or clicked it): pop up anew.
  // Firefox has no `update` (each message pops up, as before).
  const update = (browser.notifications as Partial<typeof browser.notifications>).update;
  if (refresh && update && poppedAt.has(id) && (await update(id, { title: notice.title, message: notice.message }).catch(() => false))) return false;
  if (refresh && update && notice.customer && (burst || (await stillUp()) >= BURST_AFTER)) return joinBurst(notice, notice.customer, update, now);
  // Another kind of notice replaces the customer's: the customer's next message pops up again.
  if (refresh) poppedAt.set(id, now);
  else poppedAt.delete(id);
  await create(id, notice);
  return true;
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

/** A customer's message in a burst: the burst's notification names them first, changed in place while it is up. */
async function joinBurst(notice: Notice, customer: string, update: typeof browser.notifications.update, now: number): Promise<boolean> {
  const lang = pickLanguage(await currentLanguage(), navigator.languages);
  const text = (customers: Map<string, string>) => burstNoticeText([...customers.values()], { t: i18n.getFixedT(lang, 'inbox'), list: formats(lang).list });
  const joined = (from: Map<string, string>) => new Map([[notice.conversationId, customer], ...[...from].filter(([id]) => id !== notice.conversationId)]);
  if (burst && now - burst.poppedAt < REFRESH_SHOWN_MS) {
    const customers = joined(burst.customers);
    if (await update(BURST_NOTIFICATION_ID, text(customers)).catch(() => false)) {
      burst = { ...burst, lastAt: now, customers };
      return false;
    }
    burst = null; // closed or clicked: the agent saw it, a new burst begins
  }
  // None yet, or its pop-up is over while customers keep writing: it pops up (again).
  const customers = joined(burst?.customers ?? new Map());
  burst = { poppedAt: now, lastAt: now, customers };
  await create(BURST_NOTIFICATION_ID, text(customers));
  return true;
}

/** Pops up a notification (a new one, or one with the same id again). */
async function create(id: string, notice: Pick<Notice, 'title' | 'message'>): Promise<void> {
  await browser.notifications.create(id, {
    type: 'basic',
    iconUrl: browser.runtime.getURL('/icon/128.png'),
    title: notice.title,
    message: notice.message,
    priority: 1,
  });
}
