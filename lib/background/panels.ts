import { browser } from 'wxt/browser';
import type { InboxPatch } from '../inbox/state';
import { firstScreen } from '../inbox/first-screen';
import { onInboxPatch, readInbox } from '../inbox/store';
import { PANEL_PORT, type PanelNotice } from '../messaging/protocol';
import { panelPortRequest } from '../messaging/schemas';

/**
 * Pushes every inbox change to open side panels as it happens, so a message is on screen without
 * waiting for the storage write (a whole-inbox write per change is too slow at 100 messages/s).
 * A panel gets the first screen of the inbox (painted at once), then the current state and every
 * change after it: the worker's copy is the cache a panel paints from (it reads no storage itself).
 */
export function servePanels(opts: { onRowsShown?: (conversationIds: string[]) => void } = {}): void {
  browser.runtime.onConnect.addListener((port) => {
    if (port.name !== PANEL_PORT) return;
    // Only this extension's own pages.
    if (port.sender?.id !== browser.runtime.id || !port.sender.url?.startsWith(browser.runtime.getURL('/'))) return port.disconnect();
    // The panel's copy starts from the current state (storage may be a moment behind), then
    // follows every patch, in order, on this one port.
    let started = false;
    const early: InboxPatch[] = [];
    const off = onInboxPatch((patch) => {
      if (!started) return void early.push(patch);
      try {
        port.postMessage({ type: 'patch', patch } satisfies PanelNotice);
      } catch {
        off();
      }
    });
    port.onDisconnect.addListener(() => off());
    // The list rows the panel shows (their typing and viewing are wanted).
    port.onMessage.addListener((raw) => {
      const request = panelPortRequest.safeParse(raw);
      if (request.success) opts.onRowsShown?.(request.data.conversationIds);
    });
    void readInbox().then((state) => {
      try {
        // A screenful first (small, so on screen at once), then the whole of it.
        port.postMessage({ type: 'firstScreen', state: firstScreen(state) } satisfies PanelNotice);
        port.postMessage({ type: 'snapshot', state } satisfies PanelNotice);
        for (const patch of early) if (patch.seq > (state.seq ?? 0)) port.postMessage({ type: 'patch', patch } satisfies PanelNotice);
      } catch {
        off();
      }
      started = true;
    });
  });
}
