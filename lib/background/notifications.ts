import { browser } from 'wxt/browser';
import { mirror } from '../storage/mirror';
import type { AgentConversationView, MessageView } from '../contract/models';
import { notificationSettingsItem, viewingItem } from '../storage/items';

/** Desktop notifications for new inbound messages, unless muted or already on screen. */
export interface NotificationSettings {
  muted: boolean;
}

/** What the side panel shows right now (written by the side panel, read by the background). */
export interface Viewing {
  conversationId: string | null;
  visible: boolean;
}

export const NOTIFICATION_PREFIX = 'conversation:';

/** What the side panel shows, kept in memory (read on every inbound message, so not from storage each time). */
export const currentViewing = mirror(viewingItem);

/** Whether a message deserves a desktop notification. */
export function shouldNotify(m: MessageView, settings: NotificationSettings, viewing: Viewing): boolean {
  if (settings.muted || m.direction !== 'inbound') return false;
  return !(viewing.visible && viewing.conversationId === m.conversationId);
}

/**
 * A burst of messages gets a notification a second at most, not one each: within the second, the
 * newest message waits and is shown when it ends (the unread counts show the rest).
 */
export const NOTIFY_EVERY_MS = 1000;
let lastNotified = 0;
let waiting: { m: MessageView; conversation: AgentConversationView | undefined } | null = null;

/** One notification per conversation (a newer message replaces it). Text only: notifications render no HTML. */
export async function notifyMessage(m: MessageView, conversation: AgentConversationView | undefined): Promise<void> {
  if (m.direction !== 'inbound') return;
  const wait = lastNotified + NOTIFY_EVERY_MS - Date.now();
  if (wait > 0) {
    // Before any storage read: a burst costs nothing but this.
    if (!waiting) setTimeout(() => {
      const next = waiting;
      waiting = null;
      if (next) void notifyMessage(next.m, next.conversation);
    }, wait);
    waiting = { m, conversation };
    return;
  }
  lastNotified = Date.now();
  const [settings, onScreen] = await Promise.all([notificationSettingsItem.getValue(), currentViewing()]);
  if (!shouldNotify(m, settings, onScreen)) return;
  const from = conversation?.contact.profileName || conversation?.contact.phone || 'WhatsApp';
  await browser.notifications
    .create(`${NOTIFICATION_PREFIX}${m.conversationId}`, {
      type: 'basic',
      iconUrl: browser.runtime.getURL('/icon/128.png'),
      title: from,
      message: m.body || (m.media.length ? 'Sent an attachment' : 'New message'),
      priority: 1,
    })
    .catch(() => {}); // notifications may be disabled at the OS level
}
