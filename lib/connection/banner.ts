import type { ConnectionStatus } from './status';

/** Which side is wrong, when something is (issue #31): the agent's network, our server, the session. */
export type ConnectionProblem = 'signed-out' | 'offline' | 'server' | 'interrupted';

/** What the banner says is the side panel's (`inbox:banner.<problem>`); this decides which. */
export interface ConnectionBanner {
  problem: ConnectionProblem;
  /** Replies written now wait in the outbox (shown as waiting) until the connection is back. */
  repliesWait: boolean;
}

/**
 * The side panel's banner: which side is wrong, in words, or nothing while the inbox works.
 * `online` is the browser's view (`navigator.onLine`, the same for the worker and the panel).
 * The Socket.IO link is to Switchboard's own server, so it being down (its heartbeat unanswered,
 * or closed) while the browser is online means that server is not answering; Realtime down alone
 * loses nothing (Socket.IO brings the same messages) and gets no banner. Both down while polling
 * works: the server answers HTTP, so replies go out, only live updates are slower.
 */
export function connectionBanner(status: ConnectionStatus, online: boolean): ConnectionBanner | null {
  if (status.overall === 'signed-out') {
    return { problem: 'signed-out', repliesWait: false };
  }
  if (!online) return { problem: 'offline', repliesWait: true };
  if (status.overall === 'polling') {
    return { problem: 'interrupted', repliesWait: false };
  }
  if (status.socket === 'disconnected') {
    return { problem: 'server', repliesWait: true };
  }
  return null;
}

/** The replies still in the outbox that the thread shows as waiting (none while they can go out). */
export function waitingReplies(outbox: ReadonlyArray<{ id: string }>, banner: ConnectionBanner | null): ReadonlySet<string> {
  return new Set(banner?.repliesWait ? outbox.map((p) => p.id) : []);
}
