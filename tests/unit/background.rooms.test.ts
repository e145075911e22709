import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createRooms } from '@/lib/background/links/rooms';
import type { SocketLink } from '@/lib/background/links/socket';

/**
 * What the worker says about the rows' path (docs/delivery-scope.md, "One copy per message"):
 * `inbox:rows` when Realtime's state changes, and again after every reconnect (a new socket starts
 * in `rows:socket` on the server), never while Realtime is down.
 */
describe('the rows path the worker tells the server', () => {
  let sent: Array<[string, unknown]>;
  const link = { connected: false, emit: (event: string, payload: unknown) => sent.push([event, payload]) } as unknown as SocketLink;
  const rowsSaid = () => sent.filter(([event]) => event === 'inbox:rows').map(([, p]) => p);

  beforeEach(() => {
    fakeBrowser.reset();
    sent = [];
  });

  it('says it on each change only, and again after a reconnect while Realtime is up', () => {
    const rooms = createRooms(() => link);
    rooms.setRowsByRealtime(true);
    rooms.setRowsByRealtime(true); // no change: nothing said
    expect(rowsSaid()).toEqual([{ realtime: true }]);
    rooms.restate(); // a reconnect
    expect(rowsSaid()).toEqual([{ realtime: true }, { realtime: true }]);
    rooms.setRowsByRealtime(false);
    sent = [];
    rooms.restate(); // Realtime down: the new socket's default (the rows) is right, nothing said
    expect(rowsSaid()).toEqual([]);
  });
});
