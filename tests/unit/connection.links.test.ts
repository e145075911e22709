import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NOT_ANSWERING } from '@/lib/connection/heartbeat';
import type { ChannelState } from '@/lib/connection/status';
import { SocketLink } from '@/lib/background/links/socket';
import type { SwitchboardSocket } from '@/lib/background/links/socket-client';

/**
 * A socket.io-client stand-in: what SocketLink uses of it. `answering` is the server: while false,
 * heartbeats get no ack (socket.io-client then rejects `emitWithAck` after its timeout).
 */
function fakeSocket() {
  const handlers = new Map<string, Array<(...args: unknown[]) => void>>();
  const fire = (event: string, ...args: unknown[]) => handlers.get(event)?.forEach((h) => h(...args));
  const socket = {
    answering: true,
    connected: false,
    active: false,
    connects: 0,
    fire,
    on(event: string, h: (...args: unknown[]) => void) {
      handlers.set(event, [...(handlers.get(event) ?? []), h]);
      return socket;
    },
    connect() {
      socket.connects++;
      socket.active = true;
      return socket;
    },
    disconnect() {
      socket.active = false;
      if (socket.connected) {
        socket.connected = false;
        fire('disconnect', 'io client disconnect');
      }
      return socket;
    },
    removeAllListeners: () => handlers.clear(),
    timeout: (ms: number) => ({
      emitWithAck: () =>
        socket.answering
          ? Promise.resolve({ data: { at: Date.now() } })
          : new Promise((_, reject) => setTimeout(() => reject(new Error('operation has timed out')), ms)),
    }),
    emit: () => socket,
  };
  return socket;
}

describe('the Socket.IO link’s heartbeat', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a server that stops answering with the connection open is down within 10 s, and the link connects again', async () => {
    const socket = fakeSocket();
    const states: Array<[ChannelState, string | undefined, number]> = [];
    const link = new SocketLink({
      create: () => socket as unknown as SwitchboardSocket,
      refreshSession: async () => undefined,
      onState: (state, error) => states.push([state, error, Date.now()]),
      onConnect: () => {},
      listen: () => {},
    });
    link.connect();
    socket.connected = true;
    socket.fire('connect');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(states.at(-1)?.[0]).toBe('connected');

    const frozenAt = Date.now();
    socket.answering = false;
    await vi.advanceTimersByTimeAsync(10_000);
    const down = states.find(([state, error]) => state === 'disconnected' && error === NOT_ANSWERING);
    expect(down).toBeDefined();
    expect(down![2] - frozenAt).toBeLessThanOrEqual(10_000);
    expect(states.at(-1)).toBe(down); // the last word: "not answering", not the client's own disconnect
    expect(socket.connects).toBe(2); // a new connection, not the frozen one
    link.stop();
  });

  it('stops beating when the socket disconnects, and never reports a loss for a closed socket', async () => {
    const socket = fakeSocket();
    const states: Array<[ChannelState, string | undefined]> = [];
    const link = new SocketLink({
      create: () => socket as unknown as SwitchboardSocket,
      refreshSession: async () => undefined,
      onState: (state, error) => states.push([state, error]),
      onConnect: () => {},
      listen: () => {},
    });
    link.connect();
    socket.connected = true;
    socket.fire('connect');
    socket.answering = false;
    socket.connected = false;
    socket.fire('disconnect', 'transport close');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(states.filter(([, error]) => error === NOT_ANSWERING)).toEqual([]);
    link.stop();
  });
});
