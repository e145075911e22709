import { browser, type Browser } from 'wxt/browser';
import { backoff } from '../connection/backoff';
import { OVERLAY_WATCH_MAX } from '../messaging/limits';
import { OVERLAY_PORT, type OverlayPortNotice, type CrmPortRequest } from '../messaging/protocol';

/**
 * The CRM page's one line to the background: a port that carries the page's numbers out and
 * their badges back. Chrome closes it when it stops the service worker; it is reopened (which
 * wakes the worker) with a short backoff. When the extension itself is gone (reloaded, removed,
 * disabled), `onGone` runs once and nothing reconnects.
 */
export function connectToBackground(handlers: { onNotice(notice: OverlayPortNotice): void; onGone(): void }) {
  let port: Browser.runtime.Port | null = null;
  let phones: string[] = [];
  let closed = false;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const extensionAlive = () => {
    try {
      return !!browser.runtime?.id;
    } catch {
      return false;
    }
  };

  const open = () => {
    timer = null;
    if (closed) return;
    if (!extensionAlive()) return gone();
    try {
      port = browser.runtime.connect({ name: OVERLAY_PORT });
    } catch {
      return gone();
    }
    port.onMessage.addListener((notice: OverlayPortNotice) => {
      attempt = 0;
      handlers.onNotice(notice);
    });
    port.onDisconnect.addListener(() => {
      port = null;
      if (closed) return;
      if (!extensionAlive()) return gone();
      timer = setTimeout(open, backoff(attempt++, { baseMs: 250 }));
    });
    send();
  };

  const send = () => {
    const request: CrmPortRequest = { type: 'watch', phones };
    try {
      port?.postMessage(request);
    } catch {
      /* disconnected: the reconnect sends the numbers again */
    }
  };

  const gone = () => {
    if (closed) return;
    closed = true;
    handlers.onGone();
  };

  open();
  return {
    watch(next: string[]) {
      // A page showing more numbers than the port takes gets badges for the first ones, not none
      // (the worker ignores a longer list whole), and the worker parses no more than that.
      phones = next.slice(0, OVERLAY_WATCH_MAX);
      send();
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      port?.disconnect();
    },
  };
}
