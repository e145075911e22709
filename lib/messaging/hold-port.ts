import { browser, type Browser } from 'wxt/browser';

/** How long a page waits before connecting again to a port that dropped. */
const RECONNECT_MS = 300;

/**
 * A held port: calling it lets go. `post` tells the background something on it while it is
 * connected; what is posted while it is not is dropped (a new worker knows nothing of the old one's
 * state: `connect` is where a page says again what the background must know).
 */
export type PortHold<Request> = (() => void) & { post(request: Request): void };

/**
 * A page's long-lived port to the background, held until the returned function is called. A port
 * drops when the worker stops; the page then connects again a moment later, which starts a new
 * worker (`connect` runs after each connection, with the port's `post`; `drop` after each drop).
 */
export function holdPort<Notice, Request = never>(
  name: string,
  on: { message(notice: Notice): void; connect?(post: (request: Request) => void): void; drop?(): void },
): PortHold<Request> {
  let held = true;
  let port: Browser.runtime.Port | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;
  const post = (request: Request) => {
    try {
      port?.postMessage(request);
    } catch {
      // Dropping: said again on the next connection.
    }
  };
  const connect = () => {
    port = browser.runtime.connect({ name });
    port.onMessage.addListener((notice: Notice) => on.message(notice));
    port.onDisconnect.addListener(() => {
      port = null;
      on.drop?.();
      if (held) retry = setTimeout(connect, RECONNECT_MS);
    });
    on.connect?.(post);
  };
  connect();
  const release = () => {
    held = false;
    if (retry) clearTimeout(retry);
    port?.disconnect();
  };
  return Object.assign(release, { post });
}
