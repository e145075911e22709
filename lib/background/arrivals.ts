import { applyPresence, applyPresenceState, applyTyping, applyViewing } from '../collab/state';
import { updateCollab } from '../collab/store';
import { backoff } from '../connection/backoff';
import { TYPING_TTL_MS } from '../contract/events';
import type { ConversationView, MessageView } from '../contract/models';
import { conversationFromRow } from '../contract/rows';
import { applyConversation, applyMessage, applyRead, isNewMessage } from '../inbox/state';
import { readInbox, updateInbox } from '../inbox/store';
import type { SwitchboardSocket } from './links/socket-client';
import { currentViewing, notifyMessage, notifySla } from './notifications';

/**
 * What the live paths (Realtime rows, Socket.IO events) bring in: applied to the inbox by id, so
 * two copies of one message are one message, and announced once.
 */

/**
 * A known conversation whose delivery scope key changed (docs/delivery-scope.md): assigned,
 * unassigned, its channel given to another team. One entering the agent's scope may have had
 * messages the agent did not receive: the caller catches up.
 */
export type OnMove = (conversationId: string, from: string | undefined, to: string | undefined) => void;

const moveOf = (local: ConversationView | undefined, next: ConversationView | undefined) =>
  local && next && next.scopeKey !== undefined && local.scopeKey !== next.scopeKey ? { id: next.id, from: local.scopeKey, to: next.scopeKey } : null;

/**
 * A message from any live path; one the agent has on screen is marked read as it arrives. A row
 * without its conversation (Realtime's) for a conversation the worker does not know is left to
 * the catch-up `onUnknown` starts: it brings the conversation and its contact with the message,
 * which is then announced with them.
 */
export async function receiveMessage(
  message: MessageView,
  conversation: ConversationView | undefined,
  { markRead, onMove, onUnknown }: { markRead(conversationId: string): Promise<void>; onMove?: OnMove; onUnknown?(): void },
): Promise<void> {
  let fresh = false;
  let unknown = false;
  let move = null as ReturnType<typeof moveOf>;
  const state = await updateInbox(
    (s) => {
      unknown = !conversation && !s.conversations[message.conversationId];
      if (unknown) return s;
      fresh = isNewMessage(s, message.id);
      move = moveOf(s.conversations[message.conversationId], conversation);
      return applyMessage(s, message, conversation);
    },
    // A row without its conversation (Realtime's): the conversation's row is the next frame.
    { gather: !conversation },
  );
  if (unknown) return onUnknown?.();
  if (move) onMove?.(move.id, move.from, move.to);
  if (!fresh) return;
  // An activity line (assigned to me, a snooze ended) may deserve a notification of its own.
  if (message.direction === 'activity') return notifyMessage(message, state.conversations[message.conversationId]);
  if (message.direction !== 'inbound') return;
  // On screen: the agent is reading it as it arrives. Elsewhere: a notification.
  const viewing = await currentViewing();
  if (viewing.visible && viewing.conversationId === message.conversationId) await markRead(message.conversationId).catch(() => {});
  else await notifyMessage(message, state.conversations[message.conversationId]);
}

/** A conversation changed (status, assignee) with the activity lines it wrote: applied, and each line announced once. */
export async function receiveChange(conversation: ConversationView, activity: MessageView[], onMove?: OnMove): Promise<void> {
  let fresh: MessageView[] = [];
  let move = null as ReturnType<typeof moveOf>;
  const state = await updateInbox((s) => {
    fresh = activity.filter((m) => isNewMessage(s, m.id));
    move = moveOf(s.conversations[conversation.id], conversation);
    return activity.reduce((acc, m) => applyMessage(acc, m, conversation), applyConversation(s, conversation));
  });
  if (move) onMove?.(move.id, move.from, move.to);
  for (const m of fresh) await notifyMessage(m, state.conversations[m.conversationId]);
}

/** A conversation row from Realtime: applied to the one we know; one we do not know yet is left to the catch-up (it brings the contact). */
export async function receiveConversationRow(row: Record<string, unknown>, onUnknown: () => void, onMove?: OnMove): Promise<void> {
  let unknown = false;
  let move = null as ReturnType<typeof moveOf>;
  await updateInbox((s) => {
    const local = s.conversations[String(row.id)];
    unknown = !local;
    if (!local) return s;
    const next = conversationFromRow(row, local.contact);
    move = moveOf(local, next);
    return applyConversation(s, next);
  });
  if (unknown) onUnknown();
  if (move) onMove?.(move.id, move.from, move.to);
}

/**
 * How long a message the server announced by id (`messages:stored`, up to a second after its
 * commit) may still take to come over Realtime before the worker catches up for it. Realtime brings
 * a row within tens of milliseconds of its commit (docs/benchmarks.md); a channel being replaced or
 * a row Realtime dropped takes the catch-up.
 */
export const STORED_GRACE_MS = 2000;

/**
 * Messages announced by id while Realtime brings the rows (docs/delivery-scope.md, "One copy per
 * message"): nothing to do for one Realtime brought already (the usual case, a lookup). One still
 * missing `graceMs` after its id came starts a catch-up (one for all those due then); a catch-up
 * that fails (offline, the server busy) is tried again with backoff until it succeeds or the
 * messages arrive. `stop` forgets them (the socket went: its reconnect catches up anyway).
 */
export function expectMessages(onMissing: () => Promise<void>, graceMs = STORED_GRACE_MS) {
  /** Missing ids, and when each is looked for again. */
  const waiting = new Map<string, number>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let timerAt = Infinity;
  let failures = 0;
  const schedule = () => {
    if (waiting.size === 0) return;
    const next = Math.min(...waiting.values());
    if (timer && timerAt <= next) return;
    if (timer) clearTimeout(timer);
    timerAt = next;
    timer = setTimeout(() => void check(), Math.max(0, next - Date.now()));
  };
  const check = async () => {
    timer = null;
    timerAt = Infinity;
    const state = await readInbox();
    for (const id of [...waiting.keys()]) if (!isNewMessage(state, id)) waiting.delete(id);
    const now = Date.now();
    const due = [...waiting].filter(([, at]) => at <= now).map(([id]) => id);
    if (due.length) {
      try {
        await onMissing();
        failures = 0;
        for (const id of due) waiting.delete(id);
      } catch {
        const again = Date.now() + backoff(failures++);
        for (const id of due) if (waiting.has(id)) waiting.set(id, again);
      }
    }
    schedule();
  };
  const expect = async (id: string): Promise<void> => {
    if (waiting.has(id) || !isNewMessage(await readInbox(), id)) return;
    waiting.set(id, Date.now() + graceMs);
    schedule();
  };
  return Object.assign(expect, {
    stop(): void {
      if (timer) clearTimeout(timer);
      timer = null;
      timerAt = Infinity;
      waiting.clear();
    },
  });
}

/** The Socket.IO events that change the inbox or what colleagues are doing, applied as they come. */
export function followSocket(s: SwitchboardSocket, markRead: (conversationId: string) => Promise<void>, onMove: OnMove, onMissing: () => Promise<void>): void {
  s.on('message:new', ({ message, conversation }) => void receiveMessage(message, conversation, { markRead, onMove }));
  const expect = expectMessages(onMissing);
  s.on('messages:stored', ({ messages }) => void Promise.all(messages.map((m) => expect(m.id))));
  s.on('disconnect', () => expect.stop());
  s.on('conversation:read', (read) => void updateInbox((st) => applyRead(st, read)));
  s.on('conversation:updated', ({ conversation, activity }) => void receiveChange(conversation, activity, onMove));
  s.on('message:status', ({ message }) => void updateInbox((st) => applyMessage(st, message)));
  s.on('sla:warning', (alert) => void readInbox().then((st) => notifySla(alert, false, st.conversations[alert.conversationId])));
  s.on('sla:breached', (alert) => void readInbox().then((st) => notifySla(alert, true, st.conversations[alert.conversationId])));
  s.on('presence:state', (agents) => void updateCollab((st) => applyPresenceState(st, agents)));
  s.on('presence:changes', (changes) => void updateCollab((st) => changes.reduce(applyPresence, st)));
  s.on('viewing:update', (v) => void updateCollab((st) => applyViewing(st, v)));
  s.on('typing:update', (t) => {
    void updateCollab((st) => applyTyping(st, t, Date.now()));
    // The indicator clears by itself 3 s after the last event, even if no stop ever comes.
    if (t.typing) setTimeout(() => void updateCollab((st) => ({ ...st })), TYPING_TTL_MS + 50);
  });
}
