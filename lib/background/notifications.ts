import { browser } from 'wxt/browser';
import type { AgentConversationView, MessageView } from '../contract/models';
import type { SlaAlertPayload } from '../contract/routing';
import { formats } from '../i18n/format';
import { noticeFor, slaNoticeFor, type Notice } from '../notifications/rules';
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
  await show(notice);
}

/** An SLA alert for the agent (a due time near, or passed): shown at once, never merged into a burst. */
export async function notifySla(alert: SlaAlertPayload, breached: boolean, conversation: AgentConversationView | undefined): Promise<void> {
  const [settings, language] = await Promise.all([currentSettings(), currentLanguage()]);
  const lang = pickLanguage(language, navigator.languages);
  const t = i18n.getFixedT(lang, 'inbox');
  const time = (iso: string) => formats(lang).time.format(new Date(iso));
  const notice = slaNoticeFor(alert, breached, conversation, { settings, now: new Date(), t, time });
  if (notice) await show(notice);
}

/**
 * How long a notification stays on screen after it pops up (Chrome's own and most desktops' show one
 * for five to eight seconds): a newer message of its conversation within this time changes its
 * text in place instead of popping up a new one. A text change costs the worker almost nothing; a
 * new notification has its icon fetched, decoded and sent to the browser by the notifications API
 * in the worker (about 4 ms each on the benchmark's machine: at a notification a second, a quarter
 * of the worker's CPU per message, docs/delivery-scope.md). After it, a message pops up again.
 */
export const REFRESH_SHOWN_MS = 5000;
/** When each conversation's notification last popped up (only those within `REFRESH_SHOWN_MS`). */
const poppedAt = new Map<string, number>();

async function show(notice: Notice): Promise<void> {
  await Promise.all([pop(notice).catch(() => {}), notice.sound ? playNotificationSound().catch(() => {}) : undefined]); // notifications may be disabled at the OS level
}

/** The conversation's notification: its text changed while it is on screen, else popped up anew. */
async function pop(notice: Notice): Promise<void> {
  const id = `${NOTIFICATION_PREFIX}${notice.conversationId}`;
  const now = Date.now();
  for (const [shown, at] of poppedAt) if (now - at >= REFRESH_SHOWN_MS) poppedAt.delete(shown);
  // `update` says false when the notification is gone (the agent closed or clicked it): pop up anew.
  // Firefox has no `update` (each message pops up, as before).
  const update = (browser.notifications as Partial<typeof browser.notifications>).update;
  if (update && poppedAt.has(id) && (await update(id, { title: notice.title, message: notice.message }))) return;
  poppedAt.set(id, now);
  await browser.notifications.create(id, {
    type: 'basic',
    iconUrl: browser.runtime.getURL('/icon/128.png'),
    title: notice.title,
    message: notice.message,
    priority: 1,
  });
}
