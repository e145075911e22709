import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { Closing, handled, InFlight, INTERNAL, UNAVAILABLE } from '../../server/sockets/handled';

/** A logger whose lines the test reads. */
const logged = () => {
  const lines: Array<{ level: number; msg: string; event?: string }> = [];
  return { lines, log: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) }) };
};
const unavailable = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

/** server/sockets/handled.ts: a socket event's failure is answered and logged, never an unhandled rejection; a closing server starts nothing new. */
describe('Socket event handlers', () => {
  it('answer a failure once, in the words the client knows, and log it (a warning when the database is away)', async () => {
    const { lines, log } = logged();
    const ack = vi.fn();
    handled(log, 'conversation:join', async (_payload: unknown, reply: (r: unknown) => void) => {
      reply({ data: 'first' }); // an answer already given stands
      throw new Error('boom');
    })({}, ack);
    const away = vi.fn();
    handled(log, 'conversations:watch', async (_payload: unknown, _reply: (r: unknown) => void) => {
      throw unavailable();
    })({}, away);
    const broken = vi.fn();
    handled(log, 'conversations:watch', async (_payload: unknown, _reply: (r: unknown) => void) => {
      throw new Error('a bug');
    })({}, broken);
    await vi.waitFor(() => expect(lines).toHaveLength(3));
    expect(ack.mock.calls).toEqual([[{ data: 'first' }], [{ error: INTERNAL }]]); // Socket.IO itself sends only the first
    expect(away.mock.calls).toEqual([[{ error: UNAVAILABLE }]]);
    expect(broken.mock.calls).toEqual([[{ error: INTERNAL }]]);
    expect(lines.map((l) => [l.level, l.event])).toEqual([
      [50, 'conversation:join'],
      [40, 'conversations:watch'],
      [50, 'conversations:watch'],
    ]);
  });

  it('once the server is closing: start nothing, answer "unavailable" at once, and log no failure for work refused', async () => {
    const { lines, log } = logged();
    const work = new InFlight();
    let release = () => {};
    const started = vi.fn(() => new Promise<void>((resolve) => (release = resolve)));
    handled(log, 'typing:start', started, work)();
    const draining = work.drain(10_000);
    expect(() => work.open()).toThrow(Closing);
    const ack = vi.fn();
    const later = vi.fn(async (_payload: unknown, _reply: (r: unknown) => void) => {});
    handled(log, 'conversation:join', later, work)({}, ack);
    expect(later).not.toHaveBeenCalled();
    expect(ack.mock.calls).toEqual([[{ error: UNAVAILABLE }]]);
    // Work started before the close that reaches for the adapter after it: refused, answered, not logged.
    const refused = vi.fn();
    handled(log, 'conversations:watch', async (_payload: unknown, _reply: (r: unknown) => void) => work.open())({}, refused);
    release();
    await draining;
    expect(started).toHaveBeenCalledTimes(1);
    expect(refused.mock.calls).toEqual([[{ error: UNAVAILABLE }]]);
    expect(lines).toEqual([]);
  });

  it('drain waits for the work in flight, and no longer than its bound', async () => {
    const work = new InFlight();
    let finished = false;
    void work.track(new Promise<void>((resolve) => setTimeout(() => ((finished = true), resolve()), 50)));
    await work.drain(10_000);
    expect(finished).toBe(true);
    const stuck = new InFlight();
    void stuck.track(new Promise(() => {})); // an instance that never answers
    vi.useFakeTimers();
    try {
      let drained = false;
      const draining = stuck.drain(5000).then(() => (drained = true));
      await vi.advanceTimersByTimeAsync(4999);
      expect(drained).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await draining;
      expect(drained).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
