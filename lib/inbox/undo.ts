import type { TFunction } from 'i18next';
import type { AgentConversationView, ConversationStatus } from '../contract/models';

/**
 * The way back from resolve, snooze, bulk resolve and mark unread (issue 31): what to ask the
 * background to put each conversation back exactly as it was. Decided from the conversations as
 * they were before the change, so it runs through the same requests as the change itself.
 */

/** One request that restores a set of conversations that were in the same state. */
export type UndoStep =
  | { kind: 'status'; conversationIds: string[]; status: ConversationStatus; snoozedUntil: string | null }
  /** Read again, up to where the agent had read: the conversation is opened (which marks it read) as it was. */
  | { kind: 'read'; conversationId: string };

/** What the toast offers: a sentence saying what was done, and the steps that undo it. */
export interface Undoable {
  text: string;
  steps: UndoStep[];
}

/** How long an Undo is offered (paused while the pointer or focus is on it). */
export const UNDO_MS = 8000;

/**
 * Undo of a status change: each conversation goes back to the status (and snooze time) it had,
 * grouped so that conversations that were alike take one request.
 * @example statusUndo('Resolved', [open]) // { text: 'Resolved', steps: [{ kind: 'status', conversationIds: [open.id], status: 'open', snoozedUntil: null }] }
 */
export function statusUndo(text: string, before: AgentConversationView[]): Undoable {
  const groups = new Map<string, Extract<UndoStep, { kind: 'status' }>>();
  for (const c of before) {
    const snoozedUntil = c.status === 'snoozed' ? c.snoozedUntil : null;
    const key = `${c.status}|${snoozedUntil ?? ''}`;
    const group = groups.get(key);
    if (group) group.conversationIds.push(c.id);
    else groups.set(key, { kind: 'status', conversationIds: [c.id], status: c.status, snoozedUntil });
  }
  return { text, steps: [...groups.values()] };
}

/** The toast's sentence for a status change ("Resolved: Nadia", "Snoozed until tomorrow 09:00: Nadia"). */
export function statusChangeText(
  t: TFunction<'inbox'>,
  before: ConversationStatus,
  status: ConversationStatus,
  snoozedUntil: string | null,
  who: string,
  formatTime: (iso: string) => string,
): string {
  if (status === 'resolved') return t('undo.resolved', { who });
  if (status === 'snoozed') return snoozedUntil ? t('undo.snoozed', { who, until: formatTime(snoozedUntil) }) : t('undo.snoozedLater', { who });
  return before === 'snoozed' ? t('undo.unsnoozed', { who }) : t('undo.reopened', { who });
}

/** Undo of mark unread: read again (the agent was reading it in the thread, so it was read up to its latest message). */
export function unreadUndo(t: TFunction<'inbox'>, conversationId: string, who: string): Undoable {
  return { text: t('undo.markedUnread', { who }), steps: [{ kind: 'read', conversationId }] };
}

/** The status request's answer, as far as undo needs it. */
export interface StatusOutcome {
  newMessages: number;
  notFound: number;
}

/**
 * Runs the steps through the given requests; resolves to a sentence saying what could not be put
 * back (the customer wrote meanwhile, the conversation is gone, the request failed), or null.
 */
export async function runUndo(
  undoable: Undoable,
  requests: {
    setStatus(conversationIds: string[], status: ConversationStatus, snoozedUntil: string | null): Promise<StatusOutcome | { error: string }>;
    open(conversationId: string): Promise<null | { error: string }>;
  },
  t: TFunction<'inbox'>,
): Promise<string | null> {
  const problems: string[] = [];
  for (const step of undoable.steps) {
    const r =
      step.kind === 'status' ? await requests.setStatus(step.conversationIds, step.status, step.snoozedUntil) : await requests.open(step.conversationId);
    if (r === null) continue;
    if ('error' in r) problems.push(r.error);
    else {
      if (r.newMessages) problems.push(t('undo.customersWrote', { count: r.newMessages }));
      if (r.notFound) problems.push(t('undo.notFound', { count: r.notFound }));
    }
  }
  return problems.length ? t('undo.couldNotUndo', { problems: problems.join('; ') }) : null;
}
