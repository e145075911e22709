import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createCounts } from '@/lib/background/counts';
import type { SwitchboardSocket } from '@/lib/background/links/socket-client';
import type { CountsResponse } from '@/lib/contract/api';
import { countsItem } from '@/lib/storage/items';

const counts = (open: number): CountsResponse => ({ channels: [{ channelId: 'ch', status: 'open', assigned: false, count: open }] });

/** A socket that only records its listeners, so the test can play the server's events. */
function fakeSocket() {
  const listeners = new Map<string, (payload: CountsResponse) => void>();
  const socket = { on: (event: string, fn: (payload: CountsResponse) => void) => listeners.set(event, fn) } as unknown as SwitchboardSocket;
  return { socket, emit: (payload: CountsResponse) => listeners.get('counts:update')!(payload) };
}

describe('the organisation’s counts in the worker', () => {
  beforeEach(() => fakeBrowser.reset());

  it('reads the counts on a (re)connect and replaces them with each counts:update', async () => {
    let answer = counts(3);
    const feed = createCounts({ counts: async () => answer });
    const { socket, emit } = fakeSocket();
    feed.follow(socket);
    await feed.refresh();
    expect(await countsItem.getValue()).toEqual(counts(3));
    emit(counts(4));
    await vi.waitFor(async () => expect(await countsItem.getValue()).toEqual(counts(4)));
    answer = counts(5);
    await feed.refresh();
    expect(await countsItem.getValue()).toEqual(counts(5));
  });

  it('drops a read that comes back after a newer counts:update', async () => {
    let answer!: (c: CountsResponse) => void;
    const feed = createCounts({ counts: () => new Promise<CountsResponse>((resolve) => (answer = resolve)) });
    const { socket, emit } = fakeSocket();
    feed.follow(socket);
    const reading = feed.refresh();
    emit(counts(7));
    answer(counts(6));
    await reading;
    await vi.waitFor(async () => expect(await countsItem.getValue()).toEqual(counts(7)));
  });

  it('writes nothing for counts equal to those stored, and the latest of several in a row wins', async () => {
    const feed = createCounts({ counts: async () => counts(1) });
    const { socket, emit } = fakeSocket();
    feed.follow(socket);
    await feed.refresh();
    const writes: unknown[] = [];
    countsItem.watch((v) => writes.push(v));
    emit(counts(1));
    emit(counts(2));
    emit(counts(1));
    await vi.waitFor(() => expect(writes).toEqual([counts(2), counts(1)]));
    expect(await countsItem.getValue()).toEqual(counts(1));
  });

  it('keeps the last counts when the read fails', async () => {
    await countsItem.setValue(counts(2));
    const feed = createCounts({
      counts: async () => {
        throw new Error('offline');
      },
    });
    await feed.refresh();
    expect(await countsItem.getValue()).toEqual(counts(2));
  });
});
