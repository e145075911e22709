import type { ConnectionStatus } from './status';

/** Which side is wrong, when something is (issue #31): the agent's network, our server, the session. */
export type ConnectionProblem = 'signed-out' | 'offline' | 'server' | 'interrupted';

export interface ConnectionBanner {
  problem: ConnectionProblem;
  title: string;
  detail: string;
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
    return { problem: 'signed-out', title: 'You are signed out.', detail: 'Sign in again in the options to receive and send messages.', repliesWait: false };
  }
  if (!online) return { problem: 'offline', title: 'You are offline.', detail: 'Replies wait and go out when you are back online.', repliesWait: true };
  if (status.overall === 'polling') {
    return {
      problem: 'interrupted',
      title: 'Live updates are interrupted.',
      detail: 'Switchboard checks for new messages every few seconds; replies go out as usual.',
      repliesWait: false,
    };
  }
  if (status.socket === 'disconnected') {
    return { problem: 'server', title: 'Switchboard’s server is not answering.', detail: 'Replies wait and go out when it is back.', repliesWait: true };
  }
  return null;
}

/** The replies still in the outbox that the thread shows as waiting (none while they can go out). */
export function waitingReplies(outbox: ReadonlyArray<{ id: string }>, banner: ConnectionBanner | null): ReadonlySet<string> {
  return new Set(banner?.repliesWait ? outbox.map((p) => p.id) : []);
}
