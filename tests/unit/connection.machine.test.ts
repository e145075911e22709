import { describe, expect, it } from 'vitest';
import { backoff } from '@/lib/connection/backoff';
import { ConnectionMachine } from '@/lib/connection/machine';
import { createPoller } from '@/lib/connection/polling';
import type { ConnectionStatus } from '@/lib/connection/status';

describe('connection state machine', () => {
  const machine = () => {
    const published: ConnectionStatus[] = [];
    let polls = 0;
    const poller = createPoller(async () => void polls++, { minMs: 60_000 });
    const m = new ConnectionMachine({ poller, publish: async (s) => void published.push(s), now: () => new Date('2026-11-28T10:00:00Z') });
    return { m, poller, published, last: () => published.at(-1)!, polls: () => polls };
  };

  it('derives the overall state from both channels, and polls only while both are down', async () => {
    const { m, poller, last, polls } = machine();
    await m.session(true);
    expect(last().overall).toBe('connecting');
    await m.set('realtime', 'connected');
    await m.set('socket', 'connected');
    expect(last()).toMatchObject({ overall: 'live', realtime: 'connected', socket: 'connected', lastError: null });
    await m.set('socket', 'disconnected', 'transport close');
    expect(last()).toMatchObject({ overall: 'degraded', lastError: 'Socket.IO: transport close' });
    expect(poller.active).toBe(false);
    await m.set('realtime', 'disconnected', 'CHANNEL_ERROR');
    expect(poller.active).toBe(true);
    expect(polls()).toBe(1); // a catch-up at once
    expect(last().overall).toBe('offline');
    await m.polled(true);
    expect(last().overall).toBe('polling');
    await m.set('realtime', 'connected');
    expect(poller.active).toBe(false);
    expect(last().overall).toBe('degraded');
    poller.stop();
  });

  it('signed out: every channel idle, no error shown, no polling', async () => {
    const { m, poller, last } = machine();
    await m.session(true);
    await m.set('realtime', 'disconnected', 'x');
    await m.set('socket', 'disconnected', 'y');
    await m.session(false);
    expect(last()).toMatchObject({ overall: 'signed-out', realtime: 'idle', socket: 'idle', lastError: null });
    expect(poller.active).toBe(false);
  });
});

describe('backoff', () => {
  it('doubles from the base up to the cap, jittered between half and all of it', () => {
    expect(backoff(0, { random: () => 0 })).toBe(500);
    expect(backoff(0, { random: () => 1 })).toBe(1000);
    expect(backoff(3, { random: () => 1 })).toBe(8000);
    expect(backoff(10, { random: () => 1 })).toBe(30_000);
    expect(backoff(10, { random: () => 0 })).toBe(15_000);
    expect(backoff(2, { baseMs: 250, random: () => 0.5 })).toBe(750);
  });
});
