import { browser, type Browser } from 'wxt/browser';

/** How long a page waits before connecting again to a port that dropped. */
const RECONNECT_MS = 300;

/**
 * A page's long-lived port to the background, held until the returned function is called. A port
 * drops when the worker stops; the page then connects again a moment later, which starts a new
 * worker (`onConnect` runs before each connection, `onDrop` after each drop).
 */
export function holdPort<Notice>(name: string, on: { message(notice: Notice): void; connect?(): void; drop?(): void }): () => void {
  let held = true;
  let port: Browser.runtime.Port | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;
  const connect = () => {
    on.connect?.();
    port = browser.runtime.connect({ name });
    port.onMessage.addListener((notice: Notice) => on.message(notice));
    port.onDisconnect.addListener(() => {
      port = null;
      on.drop?.();
      if (held) retry = setTimeout(connect, RECONNECT_MS);
    });
  };
  connect();
  return () => {
    held = false;
    if (retry) clearTimeout(retry);
    port?.disconnect();
  };
}
