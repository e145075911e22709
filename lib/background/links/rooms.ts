import { applyViewing } from '../../collab/state';
import { updateCollab } from '../../collab/store';
import { WATCH_MAX } from '../../contract/events';
import { openConversationItem } from '../../storage/items';
import type { SocketLink } from './socket';

/**
 * What this worker tells the server about the agent over Socket.IO: the conversation on screen
 * (its room), the conversations shown besides it, away or online, typing, and whether this worker
 * has the rows over Realtime (new messages then come as ids only). Rooms do not survive a
 * reconnect: `restate` says it all again on every connect.
 */
export function createRooms(socket: () => SocketLink | null) {
  let away = false;
  let whole = false;
  let rowsByRealtime = false;
  /** Conversations shown besides the open one, by where: rows in side panels, badges on CRM pages. */
  const watched: Record<'panel' | 'overlay', string[]> = { panel: [], overlay: [] };
  let watchTimer: ReturnType<typeof setTimeout> | null = null;

  const sendWatched = () => {
    const ids = [...new Set([...watched.panel, ...watched.overlay])].slice(0, WATCH_MAX);
    socket()?.emit('conversations:watch', { conversationIds: ids });
  };

  /** Joins the room of the conversation on screen (the server checks it is ours) and leaves the last one. */
  const view = async (id: string | null, previous: string | null): Promise<void> => {
    const link = socket();
    if (previous && previous !== id) link?.emit('conversation:leave', { conversationId: previous });
    if (id && link?.connected) {
      const res = await link.socket.emitWithAck('conversation:join', { conversationId: id });
      if ('data' in res) await updateCollab((s) => applyViewing(s, res.data.viewing));
    }
  };

  return {
    view,
    /**
     * The conversations shown besides the open one (list rows on screen, CRM badges): the server
     * sends their typing and viewing to this socket, and no others'. Sent once the set settles.
     */
    watch(source: 'panel' | 'overlay', conversationIds: string[]): void {
      watched[source] = conversationIds;
      if (watchTimer) return;
      watchTimer = setTimeout(() => {
        watchTimer = null;
        sendWatched();
      }, 150);
    },
    /** The composer's typing signal (already throttled by the side panel). */
    typing(conversationId: string, typing: boolean): void {
      socket()?.emit(typing ? 'typing:start' : 'typing:stop', { conversationId });
    },
    /** Away when the browser is idle or locked, online when active again. */
    setAway(value: boolean): void {
      away = value;
      socket()?.emit('presence:set', { state: value ? 'away' : 'online' });
    },
    /** The agent shows more than its scope (the All view): this socket receives the whole organisation. */
    setWhole(value: boolean): void {
      if (value === whole) return;
      whole = value;
      socket()?.emit('inbox:whole', { whole: value });
    },
    /**
     * Realtime's channel is subscribed (or not any more): while it is, the server sends new
     * messages' ids instead of their rows (`inbox:rows`, docs/delivery-scope.md "One copy per message").
     */
    setRowsByRealtime(value: boolean): void {
      if (value === rowsByRealtime) return;
      rowsByRealtime = value;
      socket()?.emit('inbox:rows', { realtime: value });
    },
    /** After a (re)connect: rejoin the open conversation, restate presence, the whole inbox, the rows' path and what is shown. */
    restate(): void {
      void openConversationItem.getValue().then((id) => (id ? view(id, null) : undefined));
      if (away) socket()?.emit('presence:set', { state: 'away' });
      if (whole) socket()?.emit('inbox:whole', { whole: true });
      if (rowsByRealtime) socket()?.emit('inbox:rows', { realtime: true });
      sendWatched();
    },
  };
}

export type Rooms = ReturnType<typeof createRooms>;
