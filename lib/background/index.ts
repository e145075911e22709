import { browser } from 'wxt/browser';
import { connectionItem } from '../connection/status';
import { totalUnread } from '../inbox/state';
import { inboxItem } from '../inbox/store';
import { onMessage, requestSchemas, type ProtocolMap, type Result } from '../messaging/protocol';
import { settingsItem } from '../settings';
import { openConversationItem } from '../inbox/store';
import { showBadge } from './badge';
import { BackgroundController } from './controller';
import { NOTIFICATION_PREFIX } from './notifications';

const WATCHDOG = 'switchboard-watchdog';

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
  handle('composer:typing', async ({ conversationId, typing }) => {
    (await controller).typing(conversationId, typing);
    return null;
  });
  handle('composer:send', async ({ conversationId, body }) => {
    await (await controller).send(conversationId, body);
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

  // Keep-alive: Realtime heartbeats and Socket.IO pings (every 25 s) keep the worker running
  // (Chrome 116+). If Chrome stops it anyway, this alarm wakes it; waking re-runs this function,
  // which reconnects and catches up from the stored cursor.
  void browser.alarms.create(WATCHDOG, { periodInMinutes: 0.5 });
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === WATCHDOG) void controller.then((c) => c.watchdog());
  });
  // Back online, or awake after sleep (timers stood still): sockets may be half-open; rebuild them.
  self.addEventListener('online', () => void controller.then((c) => c.reconnect()));
  let lastTick = Date.now();
  setInterval(() => {
    const now = Date.now();
    if (now - lastTick > 30_000) void controller.then((c) => c.reconnect());
    lastTick = now;
  }, 10_000);

  // Presence follows the browser: away when idle or locked, online when active again.
  browser.idle?.setDetectionInterval(300);
  browser.idle?.onStateChanged.addListener((state) => void controller.then((c) => c.setAway(state !== 'active')));
  // The side panel opens or leaves a conversation: join or leave its room (viewing, typing).
  openConversationItem.watch((id, previous) => void controller.then((c) => c.viewConversation(id, previous)));

  browser.notifications?.onClicked.addListener((id) => {
    if (!id.startsWith(NOTIFICATION_PREFIX)) return;
    void openConversationItem.setValue(id.slice(NOTIFICATION_PREFIX.length));
    void browser.notifications.clear(id);
    // A notification click is a user gesture: open the side panel; without one, open it in a tab.
    void browser.windows
      .getLastFocused()
      .then((w) => browser.sidePanel.open({ windowId: w.id! }))
      .catch(() => browser.tabs.create({ url: browser.runtime.getURL('/sidepanel.html') }));
  });
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
