import { describe, expect, it } from 'vitest';
import type { SyncResponse } from '@/lib/contract/api';
import type { MessageView } from '@/lib/contract/models';
import { createSync, type SyncDeps } from '@/lib/inbox/sync';
import { message as view } from '../support/views';

const message = (id: string, direction: MessageView['direction'] = 'inbound'): MessageView => view(id, { direction, createdAt: '2026-11-28T10:00:00.000Z' });
const answer = (cursor: string, messages: MessageView[] = []): SyncResponse => ({ cursor, full: false, conversations: [], messages, messagesTruncated: false });

/** A server and an inbox in memory: what the sync asked for, and what it was told to announce. */
function harness(server: (cursor: string | null) => Promise<SyncResponse>) {
  let stored: string | null = 'c0';
  const seen = new Set<string>();
  const calls: Array<string | null> = [];
  const notified: string[] = [];
  const deps: SyncDeps<{ id: string }> = {
    fetch: (cursor) => {
      calls.push(cursor);
      return server(cursor);
    },
    cursor: async () => stored,
    apply: async (res) => {
      stored = res.cursor;
      const fresh = res.messages.filter((m) => !seen.has(m.id));
      fresh.forEach((m) => seen.add(m.id));
      return { fresh, conversations: {} };
    },
    notify: async (m) => void notified.push(m.id),
    isBadCursor: (err) => (err as Error).message === 'bad_cursor',
  };
  return { sync: createSync(deps), calls, notified, cursor: () => stored };
}

describe('catch-up sync', () => {
  it('runs one sync at a time; asked again meanwhile, runs once more right after from the new cursor', async () => {
    let release!: () => void;
    const first = new Promise<void>((r) => (release = r));
    let n = 0;
    const h = harness(async () => {
      n++;
      if (n === 1) await first;
      return answer(`c${n}`);
    });
    const a = h.sync();
    const b = h.sync();
    const c = h.sync(); // three asks while one runs: one more run, not two
    release();
    await Promise.all([a, b, c]);
    expect(h.calls).toEqual(['c0', 'c1']);
    expect(h.cursor()).toBe('c2');
  });

  it('starts over from no cursor when the server refuses the stored one', async () => {
    const h = harness(async (cursor) => {
      if (cursor === 'c0') throw new Error('bad_cursor');
      return answer('fresh');
    });
    await h.sync();
    expect(h.calls).toEqual(['c0', null]);
    expect(h.cursor()).toBe('fresh');
  });

  it('passes other failures on, and keeps the cursor for the next try', async () => {
    const h = harness(async () => {
      throw new Error('network down');
    });
    await expect(h.sync()).rejects.toThrow('network down');
    expect(h.cursor()).toBe('c0');
    expect(h.calls).toEqual(['c0']);
  });

  it('announces only new inbound messages, the last three at most', async () => {
    const batch = ['a', 'b', 'c', 'd', 'e'].map((id) => message(id));
    const h = harness(async (cursor) => answer(`${cursor}+`, [...batch, message('mine', 'outbound')]));
    await h.sync();
    expect(h.notified).toEqual(['c', 'd', 'e']);
    await h.sync(); // the same messages again (another path had them): nothing to announce
    expect(h.notified).toEqual(['c', 'd', 'e']);
  });
});
