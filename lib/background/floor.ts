import type { ApiClient } from '../api/client';
import type { FloorResponse } from '../contract/reports';
import { floorFeed } from '../reports/floor-feed';
import { floorItem } from '../storage/items';
import type { SwitchboardSocket } from './links/socket-client';

/**
 * The floor view stays live (docs/reports.md, "Floor"): while one is open (`floorItem` holds its
 * data), every change the server tells the organisation about reads the floor again, at most once
 * a second; the page watches `floorItem`. Nothing is read while no floor view is open.
 */
export function followFloor(s: SwitchboardSocket, api: ApiClient): void {
  const changed = floorFeed({
    refresh: async () => {
      if (!(await floorItem.getValue())) return;
      const floor = await api.floor();
      // Closed meanwhile: stay closed.
      if (await floorItem.getValue()) await floorItem.setValue(floor);
    },
  });
  s.on('conversation:updated', changed);
  s.on('message:new', changed);
  s.on('routing:agent', changed);
  s.on('team:changed', changed);
  // A (re)connection may have missed changes.
  s.on('connect', changed);
}

/** `reports:floor`: a floor view opens (read now, then kept live) or closes (null: no more reads). */
export async function openFloor(api: ApiClient, open: boolean): Promise<FloorResponse | null> {
  if (!open) {
    await floorItem.setValue(null);
    return null;
  }
  const floor = await api.floor();
  await floorItem.setValue(floor);
  return floor;
}
