import { useEffect, useState } from 'react';
import { browser, type Browser } from 'wxt/browser';
import { applyPatch, type InboxState } from '../inbox/state';
import { storedInbox } from '../inbox/store';
import { PANEL_PORT, type PanelNotice } from '../messaging/protocol';

/**
 * The inbox for a UI: first painted from storage (the cache, before any network answer), then
 * replaced by the background's current state and kept current by its patches over a port. If the
 * port drops (the worker stopped), the UI reconnects, which wakes the worker.
 */
export function useInbox(): InboxState | undefined {
  const [inbox, setInbox] = useState<InboxState | undefined>(undefined);
  useEffect(() => {
    let live = true;
    let port: Browser.runtime.Port | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let current: InboxState | null = null;
    void storedInbox().then((stored) => {
      if (live && !current) setInbox(stored);
    });
    const connect = () => {
      port = browser.runtime.connect({ name: PANEL_PORT });
      port.onMessage.addListener((notice: PanelNotice) => {
        if (notice.type === 'snapshot') current = notice.state;
        else if (current) current = applyPatch(current, notice.patch);
        else return;
        // React batches what arrives while it renders. (No requestAnimationFrame: it stops in a
        // hidden page.)
        setInbox(current);
      });
      port.onDisconnect.addListener(() => {
        port = null;
        current = null;
        if (live) retry = setTimeout(connect, 300);
      });
    };
    connect();
    return () => {
      live = false;
      if (retry) clearTimeout(retry);
      port?.disconnect();
    };
  }, []);
  return inbox;
}
