import type { StoredMessageId } from '../../lib/contract/events';
import { ROWS_BY_REALTIME, type SwitchboardIo } from './rooms';

/** How long new messages' ids gather for a socket before one `messages:stored` carries them. */
export const STORED_IDS_MS = 1000;

/**
 * The ids of new messages for the sockets whose client has the rows over Realtime
 * (docs/delivery-scope.md, "One copy per message"): their safety net, at most one event per
 * socket per `intervalMs` rather than a frame per message (each frame costs the agent's worker
 * more than the few bytes it carries). Each instance gathers for its own sockets: the one a
 * message is stored on tells the others (`clustered`, through the adapter), and each finds its
 * sockets of the message's rooms that are in `ROWS_BY_REALTIME`, so a socket hears only the ids
 * of the conversations it would have heard the rows of.
 */
export function createStoredIds(io: SwitchboardIo, o: { clustered: boolean; intervalMs?: number }) {
  const intervalMs = o.intervalMs ?? STORED_IDS_MS;
  /** Socket id → the ids gathered for it. */
  const pending = new Map<string, StoredMessageId[]>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  const flush = () => {
    timer = null;
    // This instance's own sockets: no message to the other instances for them.
    for (const [socketId, messages] of pending) io.local.to(socketId).emit('messages:stored', { messages });
    pending.clear();
  };
  const here = (rooms: string[], stored: StoredMessageId) => {
    if (stopped) return;
    const all = io.of('/').adapter.rooms;
    const byRealtime = all.get(ROWS_BY_REALTIME);
    if (!byRealtime?.size) return;
    const targets = new Set<string>();
    for (const room of rooms) for (const socketId of all.get(room) ?? []) if (byRealtime.has(socketId)) targets.add(socketId);
    for (const socketId of targets) {
      const list = pending.get(socketId);
      if (list) list.push(stored);
      else pending.set(socketId, [stored]);
    }
    if (targets.size) timer ??= setTimeout(flush, intervalMs);
  };
  io.on('messages:stored', here);
  return {
    /** A message was stored for these rooms: its id goes, within the interval, to their sockets with Realtime. */
    add(rooms: string[], stored: StoredMessageId): void {
      if (rooms.length === 0) return;
      here(rooms, stored);
      if (o.clustered && !stopped) io.serverSideEmit('messages:stored', rooms, stored);
    },
    /** The server is stopping: nothing more is sent. */
    stop(): void {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      pending.clear();
    },
  };
}
export type StoredIds = ReturnType<typeof createStoredIds>;
