import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HEARTBEAT_INTERVAL_MS, HEARTBEAT_TIMEOUT_MS, REALTIME_HEARTBEAT_MS, startHeartbeat } from '@/lib/connection/heartbeat';

describe('application-level heartbeat', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const never = () => new Promise<never>(() => {});

  it('notices a server that stops answering within 10 seconds, once', async () => {
    let answering = true;
    const lost = vi.fn();
    const start = Date.now();
    let lostAt = 0;
    startHeartbeat({
      ping: () => (answering ? Promise.resolve() : never()),
      onLost: () => {
        lost();
        lostAt = Date.now() - start;
      },
    });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(lost).not.toHaveBeenCalled();
    // Frozen just after an answer: the worst case.
    answering = false;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(lost).toHaveBeenCalledTimes(1);
    expect(lostAt - 60_000).toBeLessThanOrEqual(10_000);
    expect(HEARTBEAT_INTERVAL_MS + HEARTBEAT_TIMEOUT_MS).toBeLessThanOrEqual(10_000);
    expect(2 * REALTIME_HEARTBEAT_MS).toBeLessThanOrEqual(10_000);
  });

  it('pings one at a time: a slow answer within the timeout is not a loss', async () => {
    let inFlight = 0;
    let most = 0;
    const lost = vi.fn();
    startHeartbeat({
      ping: () => {
        most = Math.max(most, ++inFlight);
        return new Promise((resolve) => setTimeout(() => resolve(--inFlight), 3_000));
      },
      onLost: lost,
      intervalMs: 1_000,
      timeoutMs: 4_000,
    });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(lost).not.toHaveBeenCalled();
    expect(most).toBe(1);
  });

  it('a ping that fails (its own timeout, a closed socket) is a loss at once', async () => {
    const lost = vi.fn();
    startHeartbeat({ ping: () => Promise.reject(new Error('operation has timed out')), onLost: lost, intervalMs: 1_000 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(lost).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(lost).toHaveBeenCalledTimes(1);
  });

  it('after stop, neither pings nor reports a loss', async () => {
    const ping = vi.fn(never);
    const lost = vi.fn();
    const beat = startHeartbeat({ ping, onLost: lost, intervalMs: 1_000, timeoutMs: 1_000 });
    await vi.advanceTimersByTimeAsync(1_500);
    expect(ping).toHaveBeenCalledTimes(1);
    beat.stop();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(ping).toHaveBeenCalledTimes(1);
    expect(lost).not.toHaveBeenCalled();
  });
});
