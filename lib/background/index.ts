import { browser, type Browser } from 'wxt/browser';
import { connectionItem, type ConnectionStatus } from '../connection/status';
import { totalUnread } from '../inbox/state';
import { onInboxPatch, readInbox } from '../inbox/store';
import { onMessage, type ProtocolMap, type Result } from '../messaging/protocol';
import { CONTENT_SCRIPT_REQUESTS, requestSchemas } from '../messaging/schemas';
import { settingsItem } from '../settings';
import { openConversationItem } from '../inbox/store';
import { showBadge } from './badge';
import { BackgroundController } from './controller';
import { serveCrmPages } from './crm-pages';
import { servePanels } from './panels';
import { NOTIFICATION_PREFIX } from './notifications';
import { disableSite, enableSite, reconcileSites } from './sites';

const BADGE_EVERY_MS = 250;

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
  handle('composer:send', async ({ conversationId, ...content }) => {
    await (await controller).send(conversationId, content);
    return null;
  });
  handle('composer:retry', async ({ conversationId, messageId }) => {
    await (await controller).retry(conversationId, messageId);
    return null;
  });
  handle('composer:note', async ({ conversationId, body }) => {
    await (await controller).note(conversationId, body);
    return null;
  });
  handle('inbox:assign', async ({ conversationId, assigneeId }) => {
    await (await controller).assign(conversationId, assigneeId);
    return null;
  });
  handle('inbox:search', async ({ query }) => (await controller).search(query));
  handle('inbox:older', async ({ conversationId, before }) => (await controller).olderMessages(conversationId, before));
  handle('composer:templates', async ({ conversationId }) => (await controller).templates(conversationId));
  handle('media:get', async ({ conversationId, messageId, index }) => (await controller).media(conversationId, messageId, index));
  handle('connection:reconnect', async () => {
    await (await controller).reconnect();
    return null;
  });

  // Side panels: live inbox changes over a port.
  servePanels();
  // CRM pages: live badges over a port; sites beyond the built-in CRMs are the agent's choice.
  const crmPages = serveCrmPages();
  void reconcileSites();
  handle('sites:enable', async ({ origin }) => {
    await enableSite(origin);
    return null;
  });
  handle('sites:disable', async ({ origin }) => {
    await disableSite(origin);
    crmPages.disableOrigin(origin);
    return null;
  });
  handle('crm:open', async ({ phone }, sender) => {
    // Called while the badge click's user gesture lasts: open the panel before anything awaits.
    const opening = openSidePanel(sender.tab?.windowId);
    const c = await controller;
    const conversationId = await c.conversationForPhone(phone);
    await Promise.all([c.openConversation(conversationId), opening]);
    return { conversationId };
  });

  // The toolbar badge follows the inbox and the connection status, without storage reads.
  let overall: ConnectionStatus['overall'] | null = null;
  const refreshBadge = async () => {
    overall ??= (await connectionItem.getValue()).overall;
    await showBadge(totalUnread(await readInbox()), overall);
  };
  // At most four updates a second: at 100 messages/s, one per change kept the worker busy drawing
  // the icon, and a count a quarter of a second old is as good.
  let badgeTimer: ReturnType<typeof setTimeout> | null = null;
  onInboxPatch(() => {
    badgeTimer ??= setTimeout(() => {
      badgeTimer = null;
      void refreshBadge();
    }, BADGE_EVERY_MS);
  });
  connectionItem.watch((status) => {
    overall = status.overall;
    void refreshBadge();
  });
  settingsItem.watch(() => {
    // New server or Supabase URL: rebuild every connection.
    controller = controller.then((c) => {
      c.stop();
      return boot();
    });
  });
  // The toolbar icon opens the inbox: Chrome's side panel, or Firefox's sidebar.
  if (!browser.sidePanel && firefoxSidebar()) (browser.action ?? browser.browserAction).onClicked.addListener(() => void firefoxSidebar()!.toggle());
  else browser.sidePanel?.setPanelBehavior({ openPanelOnActionClick: true }).catch(() => {});

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

  // Clicking a notification opens its conversation (a click is a user gesture: the panel may open).
  const onNotificationClicked = async (id: string) => {
    if (!id.startsWith(NOTIFICATION_PREFIX)) return;
    const opening = openSidePanel();
    await browser.notifications.clear(id);
    await Promise.all([controller.then((c) => c.openConversation(id.slice(NOTIFICATION_PREFIX.length))), opening]);
  };
  browser.notifications?.onClicked.addListener((id) => void onNotificationClicked(id));
  // The worker's console (chrome://extensions → Inspect): the same actions the UI triggers.
  Object.assign(self, { switchboard: { notificationClicked: onNotificationClicked, status: () => connectionItem.getValue() } });
  void refreshBadge();
}

/** Firefox's sidebar, where the side panel lives there (not in Chrome's API types). */
const firefoxSidebar = () => (browser as unknown as { sidebarAction?: { open(): Promise<void>; toggle(): Promise<void> } }).sidebarAction;

/**
 * Opens the side panel (only possible during a user gesture: a notification or badge click); if
 * the browser refuses, the inbox opens in a tab instead.
 */
function openSidePanel(windowId?: number): Promise<unknown> {
  const sidebar = !browser.sidePanel ? firefoxSidebar() : undefined;
  if (sidebar) return sidebar.open().catch(() => browser.tabs.create({ url: browser.runtime.getURL('/sidepanel.html') }));
  const opened = windowId !== undefined ? browser.sidePanel.open({ windowId }) : browser.windows.getLastFocused().then((w) => browser.sidePanel.open({ windowId: w.id! }));
  return opened.catch(() => browser.tabs.create({ url: browser.runtime.getURL('/sidepanel.html') }));
}

async function boot(): Promise<BackgroundController> {
  const c = new BackgroundController(await settingsItem.getValue());
  await c.start();
  return c;
}

type Handler<K extends keyof ProtocolMap> = (
  data: Parameters<ProtocolMap[K]>[0],
  sender: Browser.runtime.MessageSender,
) => Promise<ReturnType<ProtocolMap[K]> extends Result<infer T> ? T : never>;

/**
 * One handler per request type. Only the extension's own pages may call it, or for the few
 * requests made for CRM pages, this extension's content scripts in a tab; the payload is
 * validated before the handler runs, and failures come back as `{ error }`.
 */
function handle<K extends keyof ProtocolMap>(type: K, fn: Handler<K>): void {
  onMessage(type, async (message) => {
    const { sender } = message;
    const fromPages = !!sender.url?.startsWith(browser.runtime.getURL('/'));
    const fromContentScript = !fromPages && CONTENT_SCRIPT_REQUESTS.has(type) && !!sender.tab;
    if (sender.id !== browser.runtime.id || !(fromPages || fromContentScript)) {
      return { error: 'request refused: not from this extension’s pages' } as never;
    }
    const parsed = requestSchemas[type].safeParse(message.data);
    if (!parsed.success) return { error: `invalid ${String(type)} request: ${parsed.error.issues[0]?.message}` } as never;
    try {
      return { data: await fn(parsed.data as never, sender) } as never;
    } catch (err) {
      return { error: (err as Error).message || 'unexpected error' } as never;
    }
  });
}
