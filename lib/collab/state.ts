import { TYPING_THROTTLE_MS, TYPING_TTL_MS, type AgentPresence, type TypingPayload, type ViewingPayload } from '../contract/events';

/**
 * Who is online, who is typing where, who is viewing what: volatile, so it lives in session
 * storage and expires on its own. The background writes it from Socket.IO events; UIs read it.
 */
export interface CollabState {
  presence: Record<string, AgentPresence>;
  /** conversation -> colleagues typing, each until a time (ms since epoch). */
  typing: Record<string, Array<{ agentId: string; displayName: string; until: number }>>;
  viewing: Record<string, ViewingPayload['agents']>;
}

export const emptyCollab = (): CollabState => ({ presence: {}, typing: {}, viewing: {} });

export function applyPresenceState(s: CollabState, agents: AgentPresence[]): CollabState {
  return { ...s, presence: Object.fromEntries(agents.map((a) => [a.agentId, a])) };
}

export function applyPresence(s: CollabState, a: AgentPresence): CollabState {
  return { ...s, presence: { ...s.presence, [a.agentId]: a } };
}

export function applyTyping(s: CollabState, t: TypingPayload, now: number): CollabState {
  const others = (s.typing[t.conversationId] ?? []).filter((x) => x.agentId !== t.agentId && x.until > now);
  const list = t.typing ? [...others, { agentId: t.agentId, displayName: t.displayName, until: now + TYPING_TTL_MS }] : others;
  return { ...s, typing: { ...s.typing, [t.conversationId]: list } };
}

export function applyViewing(s: CollabState, v: ViewingPayload): CollabState {
  return { ...s, viewing: { ...s.viewing, [v.conversationId]: v.agents } };
}

/** Colleagues typing in a conversation now (an indicator clears 3 s after its last event). */
export function typingIn(s: CollabState, conversationId: string, now: number, exceptAgentId?: string) {
  return (s.typing[conversationId] ?? []).filter((x) => x.until > now && x.agentId !== exceptAgentId);
}

/** The collision notice for a thread: colleagues typing a reply first, then those viewing it. */
export type CollisionNotice = { kind: 'typing' | 'viewing'; names: string[] };
export function collisionNotice(s: CollabState, conversationId: string, me: string, now: number): CollisionNotice | null {
  const typing = typingIn(s, conversationId, now, me).map((t) => t.displayName);
  if (typing.length) return { kind: 'typing', names: typing };
  const viewing = (s.viewing[conversationId] ?? []).filter((v) => v.agentId !== me).map((v) => v.displayName);
  if (viewing.length) return { kind: 'viewing', names: viewing };
  return null;
}

/**
 * The composer's typing signal: `start` at most every 1.5 s while the agent types, `stop` when the
 * box is cleared, on blur and on send (only if a start went out).
 */
export function createTypingNotifier(send: (typing: boolean) => void, now: () => number = Date.now) {
  let lastStart = -Infinity;
  let active = false;
  const stop = () => {
    if (!active) return;
    active = false;
    lastStart = -Infinity;
    send(false);
  };
  return {
    input(text: string) {
      if (!text.trim()) return stop();
      if (now() - lastStart < TYPING_THROTTLE_MS) return;
      lastStart = now();
      active = true;
      send(true);
    },
    blur: stop,
    sent: stop,
  };
}
