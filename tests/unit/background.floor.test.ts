import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createFloorViews, followFloor } from '@/lib/background/floor';
import type { SwitchboardSocket } from '@/lib/background/links/socket-client';
import type { FloorResponse } from '@/lib/contract/reports';
import { floorItem } from '@/lib/storage/items';

const floorAt = (at: string): FloorResponse => ({ at, teams: [] });

/** The server's floor as the API answers it, counting the reads; `refuse` answers like an agent's 403. */
function server(refuse = false) {
  let reads = 0;
  const api = {
    floor: async () => {
      reads++;
      if (refuse) throw new Error('reports are for admins and leads');
      return floorAt(`2026-12-07T10:00:0${reads}.000Z`);
    },
  };
  return { api: async () => api, reads: () => reads };
}

describe('the floor is read only while a page shows it', () => {
  beforeEach(() => fakeBrowser.reset());

  it('reads the floor when a page opens it, keeps it live while any page shows it, and stops with the last one', async () => {
    const s = server();
    const views = createFloorViews(s.api);
    const options = {};
    const panel = {};
    await views.open(options);
    expect([await floorItem.getValue(), s.reads()]).toEqual([floorAt('2026-12-07T10:00:01.000Z'), 1]);
    await views.open(panel);
    await views.close(options);
    // The side panel still shows it: a change reads it again.
    await views.refresh();
    expect([views.shown, s.reads(), (await floorItem.getValue())?.at]).toEqual([true, 3, '2026-12-07T10:00:03.000Z']);
    await views.close(panel);
    // Gone: changes read nothing, and nothing stale stays stored.
    await views.refresh();
    await views.refresh();
    expect([views.shown, s.reads(), await floorItem.getValue()]).toEqual([false, 3, null]);
  });

  it('says when the first page starts showing the floor and the last one stops (the worker then receives the whole organisation)', async () => {
    const shown: boolean[] = [];
    const views = createFloorViews(server().api, (value) => shown.push(value));
    const [options, panel] = [{}, {}];
    await views.open(options);
    await views.open(panel);
    await views.close(options);
    await views.close(options); // a page closes once
    expect(shown).toEqual([true]);
    await views.close(panel);
    expect(shown).toEqual([true, false]);
    const refused = createFloorViews(server(true).api, (value) => shown.push(value));
    await expect(refused.open({})).rejects.toThrow();
    expect(shown).toEqual([true, false, true, false]);
  });

  it('keeps nothing live for a page the server refuses (an agent), and says why', async () => {
    const s = server(true);
    const views = createFloorViews(s.api);
    await expect(views.open({})).rejects.toThrow('reports are for admins and leads');
    await views.refresh();
    expect([views.shown, s.reads(), await floorItem.getValue()]).toEqual([false, 1, null]);
  });

  it('leaves the floor empty when its page closed while the read was under way', async () => {
    let answer!: (floor: FloorResponse) => void;
    const views = createFloorViews(async () => ({ floor: () => new Promise<FloorResponse>((resolve) => (answer = resolve)) }));
    const page = {};
    const opening = views.open(page);
    await vi.waitFor(() => expect(answer).toBeDefined());
    await views.close(page);
    answer(floorAt('2026-12-07T10:00:00.000Z'));
    await opening;
    expect(await floorItem.getValue()).toBeNull();
  });

  it('reads again on each kind of change the server tells, and on a reconnection', async () => {
    const listeners = new Map<string, () => void>();
    const socket = { on: (event: string, fn: () => void) => listeners.set(event, fn) } as unknown as SwitchboardSocket;
    let refreshes = 0;
    followFloor(socket, { refresh: async () => void refreshes++ });
    expect([...listeners.keys()].sort()).toEqual(['connect', 'conversation:updated', 'message:new', 'messages:stored', 'routing:agent', 'team:changed']);
    listeners.get('message:new')!();
    await vi.waitFor(() => expect(refreshes).toBe(1));
    // A lead whose Realtime brings the rows hears new messages as ids: the floor follows them too.
    listeners.get('messages:stored')!();
    await vi.waitFor(() => expect(refreshes).toBe(2));
  });
});
