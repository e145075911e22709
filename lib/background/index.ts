import { browser } from 'wxt/browser';
import { totalUnread } from '../inbox/state';
import { onInboxPatch, readInbox } from '../inbox/store';
import { followToolbarBadge } from './toolbar-badge';
import { applyManagedWorkspace } from './workspace';
import { mirror } from '../storage/mirror';
import { keepAlive } from './keep-alive';
import { BackgroundController } from './controller';
import { serveOverlayPages } from './overlay-pages';
import { servePanels } from './panels';
import { createFloorViews, serveFloorViews } from './floor';
import { BURST_NOTIFICATION_ID, forgetNotification, NOTIFICATION_PREFIX } from './notifications';
import { reconcileSites } from './site-access';
import { openConversation } from './conversations';
import { serveRequests } from './handlers';
import { firefoxSidebar, openSidePanel } from './side-panel';
import type { Settings } from '../settings';
import { agentItem, connectionItem, notificationSettingsItem, openConversationItem, settingsItem } from '../storage/items';
import type { NotificationSettings } from '../notifications/rules';
import { createDeliveryScope, serveWholeInbox, type DeliveryScopeTracker } from './scope';

/**
 * Starts the background service worker. Listeners are registered synchronously, before any
 * await, so the event that woke the worker is not lost.
 */
export function startBackground(): void {
  // Pages showing the floor, over their ports: held live while they are there (docs/reports.md, "Floor").
  // What the agent receives live: its scope, more while a page shows more (docs/delivery-scope.md).
  const scope = createDeliveryScope({ inbox: readInbox });
  serveWholeInbox(scope);
  followScopeInputs(scope);
  // The floor follows the whole organisation: it is received while a page shows the floor.
  let floorHold: (() => void) | null = null;
  const floorViews = createFloorViews(
    async () => (await c()).api,
    (shown) => {
      floorHold?.();
      floorHold = shown ? scope.hold() : null;
    },
  );
  const boot = async () => {
    const controller = new BackgroundController(await settingsItem.getValue(), floorViews, scope);
    await controller.start();
    return controller;
  };
  let controller: Promise<BackgroundController> = boot();
  const c = () => controller;

  // A workspace IT set by policy: connected before anyone has to type it.
  void applyManagedWorkspace();
  browser.storage.onChanged.addListener((_changes, area) => area === 'managed' && void applyManagedWorkspace());
  // Side panels: live inbox changes over a port; the rows they show come back on it.
  servePanels({ onRowsShown: (ids) => void c().then((x) => x.rooms.watch('panel', ids)) });
  serveFloorViews(floorViews);
  // CRM pages: live badges over a port; sites beyond the built-in CRMs are the agent's choice.
  const overlayPages = serveOverlayPages({
    onConversations: (ids) => {
      scope.setShown(ids);
      void c().then((x) => x.rooms.watch('overlay', ids));
    },
  });
  void reconcileSites();

  serveRequests({ current: c, rebuild: () => rebuild(), pages: overlayPages, openSidePanel });

  const badgeAgent = mirror(agentItem);
  followToolbarBadge({
    onInboxChange: onInboxPatch,
    onStatus: (listener) => connectionItem.watch((status) => listener(status.overall)),
    currentStatus: async () => (await connectionItem.getValue()).overall,
    currentScope: async () => (await notificationSettingsItem.getValue()).badge,
    onScope: (listener) => notificationSettingsItem.watch((settings, old) => settings.badge !== old?.badge && listener(settings.badge)),
    unread: async (scope) => {
      const [inbox, agent] = await Promise.all([readInbox(), badgeAgent()]);
      return totalUnread(inbox, scope, agent?.id ?? null);
    },
  });
  // New server or Supabase URL: rebuild every connection (once per change, whoever noticed it first).
  const rebuild = () => {
    controller = controller.then(async (old) => {
      if (sameSettings(old.settings, await settingsItem.getValue())) return old;
      old.stop();
      return boot();
    });
    return controller;
  };
  settingsItem.watch(() => void rebuild());
  // The toolbar icon opens the inbox: Chrome's side panel, or Firefox's sidebar.
  if (!browser.sidePanel && firefoxSidebar()) (browser.action ?? browser.browserAction).onClicked.addListener(() => void firefoxSidebar()!.toggle());
  else browser.sidePanel?.setPanelBehavior({ openPanelOnActionClick: true }).catch(() => {});

  keepAlive({ watchdog: () => void c().then((x) => x.watchdog()), reconnect: () => void c().then((x) => x.reconnect()) });

  // Presence follows the browser: away when idle or locked, online when active again.
  browser.idle?.setDetectionInterval(300);
  browser.idle?.onStateChanged.addListener((state) => void c().then((x) => x.rooms.setAway(state !== 'active')));
  // The side panel opens or leaves a conversation: join or leave its room (viewing, typing).
  openConversationItem.watch((id, previous) => void c().then((x) => x.rooms.view(id, previous)));

  // Clicking a notification opens its conversation, a burst's the conversations (a click is a user
  // gesture: the panel may open).
  const onNotificationClicked = async (id: string) => {
    const conversationId = id.startsWith(NOTIFICATION_PREFIX) ? id.slice(NOTIFICATION_PREFIX.length) : null;
    if (!conversationId && id !== BURST_NOTIFICATION_ID) return;
    forgetNotification(id);
    const opening = openSidePanel();
    await browser.notifications.clear(id);
    const open = conversationId ? c().then((x) => openConversation(x.api, conversationId)) : openConversationItem.setValue(null);
    await Promise.all([open, opening]);
  };
  browser.notifications?.onClicked.addListener((id) => void onNotificationClicked(id));
  browser.notifications?.onClosed?.addListener((id) => forgetNotification(id));
  // The worker's console (chrome://extensions → Inspect): the same actions the UI triggers.
  Object.assign(self, { switchboard: { notificationClicked: onNotificationClicked, status: () => connectionItem.getValue() } });
}

/** The scope's inputs kept in storage: the badge's setting, the open conversation (it reads the teams itself). */
function followScopeInputs(scope: DeliveryScopeTracker): void {
  const badge = (settings: NotificationSettings) => scope.setBadgeAll(settings.badge === 'all');
  void notificationSettingsItem.getValue().then(badge);
  notificationSettingsItem.watch(badge);
  void openConversationItem.getValue().then((id) => scope.setOpen(id));
  openConversationItem.watch((id) => scope.setOpen(id));
}

const sameSettings = (a: Settings, b: Settings) => a.serverUrl === b.serverUrl && a.supabaseUrl === b.supabaseUrl && a.supabaseAnonKey === b.supabaseAnonKey;
