import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../contract/events';

export type SwitchboardSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * The Socket.IO connection to the Switchboard server. WebSocket only: a service worker has no
 * XMLHttpRequest for the polling transport (socket.io#4980). The token is read on every
 * (re)connect, so a refreshed token is what the next handshake presents.
 */
export function createSocket(serverUrl: string, getToken: () => Promise<string | null>): SwitchboardSocket {
  return io(serverUrl, {
    path: '/socket.io',
    transports: ['websocket'],
    autoConnect: false,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 30_000,
    randomizationFactor: 0.5,
    auth: (cb) => {
      void getToken().then((token) => cb({ token }));
    },
  });
}
