import { browser, type Browser } from 'wxt/browser';
import { totalUnread } from '../inbox/state';
import { onInboxPatch, readInbox } from '../inbox/store';
import { onMessage, type ProtocolMap, type Requests, type Responses, type Result } from '../messaging/protocol';
import { CONTENT_SCRIPT_REQUESTS, requestSchemas } from '../messaging/schemas';
import { followToolbarBadge } from './toolbar-badge';
import { applyManagedWorkspace, connectWorkspace } from './workspace';
import { mirror } from '../storage/mirror';
import { keepAlive } from './keep-alive';
import { BackgroundController } from './controller';
import { serveCrmPages } from './crm-pages';
import { servePanels } from './panels';
import { NOTIFICATION_PREFIX } from './notifications';
import { disableSite, enableSite, reconcileSites } from './site-access';
import type { Settings } from '../settings';
import { agentItem, connectionItem, notificationSettingsItem, openConversationItem, settingsItem } from '../storage/items';

/**
 * Starts the background service worker. Listeners are registered synchronously, before any
 * await, so the event that woke the worker is not lost.
 */
export function startBackground(): void {
  let controller: Promise<BackgroundController> = boot();
  const c = () => controller;

  // A workspace IT set by policy: connected before anyone has to type it.
  void applyManagedWorkspace();
  browser.storage.onChanged.addListener((_changes, area) => area === 'managed' && void applyManagedWorkspace());
  // Side panels: live inbox changes over a port.
  servePanels();
  // CRM pages: live badges over a port; sites beyond the built-in CRMs are the agent's choice.
  const crmPages = serveCrmPages({ onConversations: (ids) => void c().then((x) => x.watch('crm', ids)) });
  void reconcileSites();

  serve({
    'auth:signIn': async ({ email, password }) => (await c()).signIn(email, password),
    'auth:signOut': async () => done(await (await c()).signOut()),
    // Answered once the connections use the new workspace: a sign-in right after goes to it.
    'settings:connect': async ({ workspaceUrl }) => {
      const connected = await connectWorkspace(workspaceUrl);
      await rebuild();
      return connected;
    },
    'inbox:openConversation': async ({ conversationId }) => done(await (await c()).openConversation(conversationId)),
    'inbox:visible': async ({ conversationIds }) => done((await c()).watch('panel', conversationIds)),
    'inbox:openPhone': async ({ phone }) => {
      const controller = await c();
      const conversationId = await controller.conversationForPhone(phone);
      await controller.openConversation(conversationId);
      return { conversationId };
    },
    'connection:reconnect': async () => done(await (await c()).reconnect()),
    'composer:typing': async ({ conversationId, typing }) => done((await c()).typing(conversationId, typing)),
    'composer:send': async ({ conversationId, ...content }) => done(await (await c()).send(conversationId, content)),
    'composer:retry': async ({ conversationId, messageId }) => done(await (await c()).retry(conversationId, messageId)),
    'composer:note': async ({ conversationId, body }) => done(await (await c()).note(conversationId, body)),
    'composer:templates': async ({ conversationId }) => (await c()).templates(conversationId),
    'composer:uploadTicket': async () => (await c()).uploadTicket(),
    'inbox:assign': async ({ conversationId, assigneeId }) => done(await (await c()).assign(conversationId, assigneeId)),
    'inbox:setStatus': async ({ conversationIds, status, snoozedUntil }) => (await c()).setStatus(conversationIds, status, snoozedUntil),
    'inbox:markUnread': async ({ conversationId, fromMessageId }) => done(await (await c()).markUnread(conversationId, fromMessageId)),
    'inbox:search': async ({ query }) => (await c()).search(query),
    'inbox:older': async ({ conversationId, before }) => (await c()).olderMessages(conversationId, before),
    'media:get': async ({ conversationId, messageId, index }) => (await c()).media(conversationId, messageId, index),
    'admin:refresh': async () => done(await (await c()).refreshAdmin()),
    'admin:invite': async ({ email, role, delivery }) => (await c()).admin((a) => a.invite(email, role, delivery)),
    'admin:revokeInvite': async ({ inviteId }) => done(await (await c()).admin((a) => a.revokeInvite(inviteId))),
    'admin:setRole': async ({ agentId, role }) => done(await (await c()).admin((a) => a.setRole(agentId, role))),
    'admin:removeAgent': async ({ agentId }) => done(await (await c()).admin((a) => a.removeAgent(agentId))),
    'admin:saveCannedReply': async ({ shortcut, body }) => done(await (await c()).admin((a) => a.saveCannedReply(shortcut, body))),
    'admin:deleteCannedReply': async ({ id }) => done(await (await c()).admin((a) => a.deleteCannedReply(id))),
    'admin:createChannel': async ({ whatsappNumber, name }) => (await c()).admin((a) => a.createChannel(whatsappNumber, name)),
    'admin:connectCrm': async ({ vendor, region }) => (await c()).admin((a) => a.connectCrm(vendor, region)),
    'crm:record': async ({ conversationId }) => (await c()).crmRecord(conversationId),
    'crm:search': async ({ conversationId, query }) => (await c()).crmSearch(conversationId, query),
    'crm:link': async ({ conversationId, recordId }) => (await c()).crmLink(conversationId, recordId),
    'crm:createContact': async ({ conversationId }) => (await c()).crmCreateContact(conversationId),
    'admin:setCrmLogMode': async ({ logMode }) => done(await (await c()).admin((a) => a.setCrmLogMode(logMode))),
    'admin:disconnectCrm': async () => done(await (await c()).admin((a) => a.disconnectCrm())),
    'admin:checkCrm': async ({ writeTest }) => (await c()).admin((a) => a.checkCrm(writeTest)),
    'sites:enable': async ({ origin }) => done(await enableSite(origin)),
    'sites:disable': async ({ origin }) => {
      await disableSite(origin);
      crmPages.disableOrigin(origin);
      return null;
    },
    'crm:open': async ({ phone }, sender) => {
      // Called while the badge click's user gesture lasts: open the panel before anything awaits.
      const opening = openSidePanel(sender.tab?.windowId);
      const controllerNow = await c();
      const conversationId = await controllerNow.conversationForPhone(phone);
      await Promise.all([controllerNow.openConversation(conversationId), opening]);
      return { conversationId };
    },
  });

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
  browser.idle?.onStateChanged.addListener((state) => void c().then((x) => x.setAway(state !== 'active')));
  // The side panel opens or leaves a conversation: join or leave its room (viewing, typing).
  openConversationItem.watch((id, previous) => void c().then((x) => x.viewConversation(id, previous)));

  // Clicking a notification opens its conversation (a click is a user gesture: the panel may open).
  const onNotificationClicked = async (id: string) => {
    if (!id.startsWith(NOTIFICATION_PREFIX)) return;
    const opening = openSidePanel();
    await browser.notifications.clear(id);
    await Promise.all([c().then((x) => x.openConversation(id.slice(NOTIFICATION_PREFIX.length))), opening]);
  };
  browser.notifications?.onClicked.addListener((id) => void onNotificationClicked(id));
  // The worker's console (chrome://extensions → Inspect): the same actions the UI triggers.
  Object.assign(self, { switchboard: { notificationClicked: onNotificationClicked, status: () => connectionItem.getValue() } });
}

/** For requests that answer with nothing but success. */
const done = (_: unknown): null => null;

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

const sameSettings = (a: Settings, b: Settings) => a.serverUrl === b.serverUrl && a.supabaseUrl === b.supabaseUrl && a.supabaseAnonKey === b.supabaseAnonKey;

async function boot(): Promise<BackgroundController> {
  const c = new BackgroundController(await settingsItem.getValue());
  await c.start();
  return c;
}

/** One handler per request type: a request missing here, or answering the wrong type, does not compile. */
type Handlers = { [K in keyof ProtocolMap]: (data: Requests[K], sender: Browser.runtime.MessageSender) => Promise<Responses[K]> };

/**
 * Registers every handler. Only the extension's own pages may call them, or for the few requests
 * made for CRM pages, this extension's content scripts in a tab; the payload is validated before
 * the handler runs, and failures come back as `{ error }`.
 */
function serve(handlers: Handlers): void {
  for (const type of Object.keys(handlers) as Array<keyof Handlers>) listen(type, handlers[type]);
}

function listen<K extends keyof Handlers>(type: K, fn: Handlers[K]): void {
  const answer = async (sender: Browser.runtime.MessageSender, data: unknown): Promise<Result<Responses[K]>> => {
    const fromPages = !!sender.url?.startsWith(browser.runtime.getURL('/'));
    const fromContentScript = !fromPages && CONTENT_SCRIPT_REQUESTS.has(type) && !!sender.tab;
    if (sender.id !== browser.runtime.id || !(fromPages || fromContentScript)) return { error: 'request refused: not from this extension’s pages' };
    const parsed = requestSchemas[type].safeParse(data);
    if (!parsed.success) return { error: `invalid ${type} request: ${parsed.error.issues[0]?.message}` };
    try {
      return { data: await fn(parsed.data as Requests[K], sender) };
    } catch (err) {
      return { error: (err as Error).message || 'unexpected error' };
    }
  };
  // webext-core types a listener's answer per message type; for a generic K it cannot see that
  // `Result<Responses[K]>` is that type, which ProtocolMap's definition guarantees.
  onMessage(type, ({ sender, data }) => answer(sender, data) as ReturnType<Parameters<typeof onMessage<K>>[1]>);
}
