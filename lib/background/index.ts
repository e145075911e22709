import { browser } from 'wxt/browser';
import { connectionItem } from '../connection/status';
import { totalUnread } from '../inbox/state';
import { inboxItem } from '../inbox/store';
import { onMessage, requestSchemas, type ProtocolMap, type Result } from '../messaging/protocol';
import { settingsItem } from '../settings';
import { showBadge } from './badge';
import { BackgroundController } from './controller';

/**
 * Starts the background service worker. Listeners are registered synchronously, before any
 * await, so the event that woke the worker is not lost.
 */
export function startBackground(): void {
  let controller: Promise<BackgroundController> = boot();

  handle('auth:signIn', async ({ email, password }) => (await controller).signIn(email, password));
  handle('auth:signOut', async () => {
    await (await controller).signOut();
    return null;
  });
  handle('inbox:openConversation', async ({ conversationId }) => {
    await (await controller).openConversation(conversationId);
    return null;
  });
  handle('connection:reconnect', async () => {
    await (await controller).reconnect();
    return null;
  });

  const refreshBadge = async () => showBadge(totalUnread(await inboxItem.getValue()), (await connectionItem.getValue()).overall);
  inboxItem.watch(() => void refreshBadge());
  connectionItem.watch(() => void refreshBadge());
  settingsItem.watch(() => {
    // New server or Supabase URL: rebuild every connection.
    controller = controller.then((c) => {
      c.stop();
      return boot();
    });
  });
  browser.sidePanel?.setPanelBehavior({ openPanelOnActionClick: true }).catch(() => {});
  void refreshBadge();
}

async function boot(): Promise<BackgroundController> {
  const c = new BackgroundController(await settingsItem.getValue());
  await c.start();
  return c;
}

type Handler<K extends keyof ProtocolMap> = (
  data: Parameters<ProtocolMap[K]>[0],
) => Promise<ReturnType<ProtocolMap[K]> extends Result<infer T> ? T : never>;

/**
 * One handler per request type. Only the extension's own pages may call it; the payload is
 * validated before the handler runs, and failures come back as `{ error }`.
 */
function handle<K extends keyof ProtocolMap>(type: K, fn: Handler<K>): void {
  onMessage(type, async (message) => {
    const extensionOrigin = browser.runtime.getURL('/');
    if (message.sender.id !== browser.runtime.id || !message.sender.url?.startsWith(extensionOrigin)) {
      return { error: 'request refused: not from this extension’s pages' } as never;
    }
    const parsed = requestSchemas[type].safeParse(message.data);
    if (!parsed.success) return { error: `invalid ${String(type)} request: ${parsed.error.issues[0]?.message}` } as never;
    try {
      return { data: await fn(parsed.data as never) } as never;
    } catch (err) {
      return { error: (err as Error).message || 'unexpected error' } as never;
    }
  });
}
