import { browser, type Browser } from 'wxt/browser';
import type { ApiClient } from '../api/client';
import { FLOOR_PORT, type FloorPortNotice } from '../messaging/protocol';
import { floorFeed } from '../reports/floor-feed';
import { floorItem } from '../storage/items';
import type { SwitchboardSocket } from './links/socket-client';

/**
 * The pages showing the floor now (docs/reports.md, "Floor"): each holds one `FLOOR_PORT` port
 * while the floor is on its screen. A port disconnects however its page goes (unmounted, hidden,
 * closed, killed, the worker stopped), so the worker never keeps reading the floor for a page that
 * is not there; this is memory, not storage, on purpose: ports do not outlive the worker either.
 */
export interface FloorViews {
  /** Whether any page shows the floor. */
  readonly shown: boolean;
  /** A page starts showing the floor: read it now into `floorItem`, then keep it live (rejects, and keeps nothing, on a refusal). */
  open(view: object): Promise<void>;
  /** A page stops showing it; the last one gone empties `floorItem`, and no more reads happen. */
  close(view: object): Promise<void>;
  /** Reads the floor again for the pages showing it (nothing while none does). */
  refresh(): Promise<void>;
}

/**
 * The floor views of one worker, reading through the session's API of the moment. `onShown` hears
 * when the first page starts showing it and the last one stops: the floor follows the whole
 * organisation's changes, so the worker receives them meanwhile (docs/delivery-scope.md).
 */
export function createFloorViews(api: () => Promise<Pick<ApiClient, 'floor'>>, onShown: (shown: boolean) => void = () => {}): FloorViews {
  const views = new Set<object>();
  const read = async () => {
    const floor = await (await api()).floor();
    // Closed meanwhile: stay closed.
    if (views.size > 0) await floorItem.setValue(floor);
  };
  const close = async (view: object) => {
    if (!views.delete(view)) return;
    if (views.size > 0) return;
    onShown(false);
    await floorItem.setValue(null);
  };
  return {
    get shown() {
      return views.size > 0;
    },
    async open(view) {
      views.add(view);
      if (views.size === 1) onShown(true);
      // Refused (not a lead) or failed: this page is not kept live; it says so and may open again.
      await read().catch(async (err: unknown) => {
        await close(view);
        throw err;
      });
    },
    close,
    async refresh() {
      if (views.size > 0) await read();
    },
  };
}

/**
 * The floor stays live while a page shows it: every change the server tells the organisation
 * about reads the floor again, at most one read per `FLOOR_GAP_MS` (`floorFeed`); the pages watch `floorItem`.
 */
export function followFloor(s: SwitchboardSocket, views: Pick<FloorViews, 'refresh'>): void {
  const changed = floorFeed({ refresh: () => views.refresh() });
  s.on('conversation:updated', changed);
  s.on('message:new', changed);
  s.on('messages:stored', changed);
  s.on('routing:agent', changed);
  s.on('team:changed', changed);
  // A (re)connection may have missed changes.
  s.on('connect', changed);
}

/**
 * Pages that show the floor connect a `FLOOR_PORT` port (only this extension's own pages); the
 * floor is read when one connects and held live until its port disconnects. A refusal (an agent is
 * not a lead) comes back on the port as `{ type: 'error' }`.
 */
export function serveFloorViews(views: FloorViews): void {
  // A floor stored by a worker that stopped belongs to ports that are gone.
  void floorItem.setValue(null);
  browser.runtime.onConnect.addListener((port: Browser.runtime.Port) => {
    if (port.name !== FLOOR_PORT) return;
    if (port.sender?.id !== browser.runtime.id || !port.sender.url?.startsWith(browser.runtime.getURL('/'))) return port.disconnect();
    port.onDisconnect.addListener(() => void views.close(port));
    views.open(port).catch((err: Error) => {
      try {
        port.postMessage({ type: 'error', message: err.message || 'unexpected error' } satisfies FloorPortNotice);
      } catch {
        /* the page is gone already */
      }
    });
  });
}
