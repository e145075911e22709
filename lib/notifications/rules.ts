import type { TFunction } from 'i18next';
import type { AgentConversationView, AgentSummary, MessageView } from '../contract/models';
import type { SlaAlertPayload } from '../contract/routing';
import type { BadgeScope } from '../inbox/state';

/**
 * Which events deserve the agent's attention, by the agent's own settings: a customer's message,
 * being assigned a conversation, a snooze ending. Pure, so every rule is tested without a browser;
 * the background shows what it decides (lib/background/notifications.ts).
 */

/** Whose conversations notify. */
export interface NotificationScope {
  /** Assigned to me. */
  mine: boolean;
  unassigned: boolean;
  /** Assigned to a colleague. */
  others: boolean;
}

export interface NotificationSettings {
  /** Desktop notifications at all. */
  enabled: boolean;
  scope: NotificationScope;
  /** A short sound with each notification. */
  sound: boolean;
  /** "Do not disturb": no notification or sound between `from` and `to` (local time, HH:MM; may span midnight). */
  quietHours: { enabled: boolean; from: string; to: string };
  /** What the toolbar icon counts. */
  badge: BadgeScope;
}

export const DEFAULT_NOTIFICATION_SETTINGS: NotificationSettings = {
  enabled: true,
  scope: { mine: true, unassigned: true, others: false },
  sound: false,
  quietHours: { enabled: false, from: '19:00', to: '08:00' },
  // The agent's own and unassigned: what the worker receives by default (docs/delivery-scope.md);
  // counting all holds the organisation's whole stream.
  badge: 'mine+unassigned',
};

/** What the side panel shows right now (written by the side panel, read by the background). */
export interface Viewing {
  conversationId: string | null;
  visible: boolean;
}

/** A notification to show: text only (notifications render no HTML). */
export interface Notice {
  conversationId: string;
  title: string;
  message: string;
  sound: boolean;
  /** A customer's message: who wrote (a burst of customers names them in one notification). */
  customer?: string;
}

/** How many customers a burst's notification names before "and 2 others". */
const BURST_NAMED = 3;

/**
 * A burst of customers in one notification: "3 more customers wrote" over "Ana, Ben, and Carla"
 * (the latest first; past `BURST_NAMED`, "and 4 others"). `list` joins names the language's way. Each
 * name is isolated (FSI … PDI): a name in another script, or with direction controls of its own,
 * cannot reorder the others or the words around them.
 */
export function burstNoticeText(customers: string[], ctx: { t: TFunction<'inbox'>; list: Intl.ListFormat }): { title: string; message: string } {
  const isolated = customers.map((name) => `\u2068${name}\u2069`);
  const shown =
    customers.length > BURST_NAMED + 1 ? [...isolated.slice(0, BURST_NAMED), ctx.t('notify.burstOthers', { count: customers.length - BURST_NAMED })] : isolated;
  return { title: ctx.t('notify.burst', { count: customers.length }), message: ctx.list.format(shown) };
}

const minutes = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** True inside the quiet hours (in the agent's local time), which may run past midnight. */
export function inQuietHours(quiet: NotificationSettings['quietHours'], now: Date): boolean {
  if (!quiet.enabled) return false;
  const at = now.getHours() * 60 + now.getMinutes();
  const from = minutes(quiet.from);
  const to = minutes(quiet.to);
  if (from === to) return false;
  return from < to ? at >= from && at < to : at >= from || at < to;
}

/** Whether the agent's scope covers a conversation, by who it is assigned to. */
export function inScope(scope: NotificationScope, assigneeId: string | null, me: string): boolean {
  if (assigneeId === me) return scope.mine;
  if (assigneeId === null) return scope.unassigned;
  return scope.others;
}

const contactOf = (c: AgentConversationView | undefined, t: TFunction<'inbox'>) => c?.contact.profileName || c?.contact.phone || t('notify.aCustomer');

/**
 * The notification an event deserves, or null. A customer's message notifies when its
 * conversation is in the agent's scope and not on screen; being assigned a conversation by
 * someone else notifies (even with no new message); a snooze ending notifies the conversation's
 * assignee (or everyone watching unassigned ones). Nothing notifies during quiet hours.
 */
export function noticeFor(
  m: MessageView,
  conversation: AgentConversationView | undefined,
  ctx: { me: string; settings: NotificationSettings; viewing: Viewing; now: Date; agents: AgentSummary[]; t: TFunction<'inbox'> },
): Notice | null {
  const { settings, me, t } = ctx;
  if (!settings.enabled || inQuietHours(settings.quietHours, ctx.now)) return null;
  const notice = (title: string, message: string): Notice => ({ conversationId: m.conversationId, title, message, sound: settings.sound });
  if (m.direction === 'inbound') {
    if (ctx.viewing.visible && ctx.viewing.conversationId === m.conversationId) return null;
    if (!inScope(settings.scope, conversation?.assigneeId ?? null, me)) return null;
    const customer = contactOf(conversation, t);
    const text = m.body || (m.location ? t('notify.location') : m.media.length ? t('notify.attachment') : t('notify.message'));
    return { ...notice(customer, text), customer };
  }
  const a = m.activity;
  if (m.direction !== 'activity' || !a) return null;
  if (a.kind === 'assigned') {
    if (a.to !== me || m.sentBy === me || !settings.scope.mine) return null;
    const by = ctx.agents.find((x) => x.id === m.sentBy)?.displayName;
    const customer = contactOf(conversation, t);
    return notice(t('notify.assigned'), by ? t('notify.assignedBy', { by, customer }) : t('notify.assignedYou', { customer }));
  }
  if (a.status === 'open' && a.reason === 'snooze_ended') {
    if (!inScope(settings.scope, conversation?.assigneeId ?? null, me)) return null;
    return notice(t('notify.snoozeEnded'), t('notify.snoozeEndedDetail', { customer: contactOf(conversation, t) }));
  }
  return null;
}

/**
 * The notification an SLA alert deserves (`sla:warning` shortly before a due time, `sla:breached`
 * once it passed): the server sends them only to the assignee (and admins when the policy says so),
 * so only the agent's own switches and quiet hours apply. `time` formats the due time.
 */
export function slaNoticeFor(
  alert: SlaAlertPayload,
  breached: boolean,
  conversation: AgentConversationView | undefined,
  ctx: { settings: NotificationSettings; now: Date; t: TFunction<'inbox'>; time: (iso: string) => string },
): Notice | null {
  const { settings, t } = ctx;
  if (!settings.enabled || inQuietHours(settings.quietHours, ctx.now)) return null;
  const customer = contactOf(conversation, t);
  const what = alert.kind === 'resolution' ? 'resolution' : 'reply';
  const [title, message] = breached
    ? [t(`notify.${what}Overdue`), t(`notify.${what}OverdueDetail`, { customer })]
    : [t(`notify.${what}DueSoon`), t(`notify.${what}DueSoonDetail`, { customer, time: ctx.time(alert.dueAt) })];
  return { conversationId: alert.conversationId, title, message, sound: settings.sound };
}
