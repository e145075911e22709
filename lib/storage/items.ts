import { storage } from 'wxt/utils/storage';
import { emptyCollab, type CollabState } from '../collab/state';
import { initialStatus, type ConnectionStatus } from '../connection/status';
import type { AdminOverview, CountsResponse } from '../contract/api';
import type { AgentProfile } from '../contract/models';
import type { RoutingOverview } from '../contract/routing';
import type { FloorResponse } from '../contract/reports';
import { DEFAULT_NOTIFICATION_SETTINGS, type NotificationSettings, type Viewing } from '../notifications/rules';
import { emptyInbox, type InboxState } from '../inbox/state';
import type { PendingReply, TeamState } from '../inbox/types';
import type { LanguagePreference } from '../i18n/languages';
import { DEFAULT_SETTINGS, type CrmSettings, type Settings } from '../settings';

/**
 * Every extension storage item, in one place: what survives a service-worker restart
 * (`local:`, kept across browser restarts; `session:`, kept while the browser runs), with its key,
 * version and migrations. State lives here, never in module variables; UIs read an item, then
 * watch it. (Each definition is marked pure so a bundle keeps only the items it uses.)
 */

// --- Settings (written by the options page) ---------------------------------------------------
/** Where the extension connects. */
export const settingsItem = /* @__PURE__ */ storage.defineItem<Settings>('local:settings', { fallback: DEFAULT_SETTINGS, version: 1 });
/** The workspace the agent connected to by its URL (its name, when the server gives one). */
/** The agent's language: `auto` follows the browser (lib/i18n/languages.ts). */
export const languageItem = /* @__PURE__ */ storage.defineItem<LanguagePreference>('local:language', { fallback: 'auto', version: 1 });

export const workspaceItem = /* @__PURE__ */ storage.defineItem<{ url: string; name: string | null } | null>('local:workspace', { fallback: null, version: 1 });
/** The workspace IT set by policy (`storage.managed`), if any, and whether agents may change it. */
export const managedWorkspaceItem = /* @__PURE__ */ storage.defineItem<{ url: string; locked: boolean } | null>('local:managedWorkspace', {
  fallback: null,
  version: 1,
});
/** Set when the workspace needs a newer extension than this one: nothing connects until it is updated. */
export const updateRequiredItem = /* @__PURE__ */ storage.defineItem<{ current: string; minimum: string; message: string } | null>('local:updateRequired', {
  fallback: null,
  version: 1,
});
/** How the overlay reads numbers written without a country code (its storage key predates the name). */
export const overlaySettingsItem = /* @__PURE__ */ storage.defineItem<CrmSettings>('local:crmSettings', { fallback: { defaultCountry: 'US' }, version: 1 });
/** Sites beyond the built-in CRMs where the agent turned the overlay on (origins). */
export const enabledSitesItem = /* @__PURE__ */ storage.defineItem<string[]>('local:crmSites', { fallback: [], version: 1 });
/** Which events notify, with a sound or not, quiet hours, and what the toolbar icon counts. */
export const notificationSettingsItem = /* @__PURE__ */ storage.defineItem<NotificationSettings>('local:notifications', {
  fallback: DEFAULT_NOTIFICATION_SETTINGS,
  version: 2,
  // Version 1 was one "mute" switch.
  migrations: { 2: (old: { muted?: boolean }) => ({ ...DEFAULT_NOTIFICATION_SETTINGS, enabled: !old.muted }) },
});

// --- The inbox before it moved to IndexedDB (lib/inbox/cache.ts) -----------------------------
/** Conversations, unread counters and the sync cursor, as versions before the cache kept them: read once, moved, removed. */
export const legacyInboxItem = /* @__PURE__ */ storage.defineItem<InboxState>('local:inbox', {
  fallback: emptyInbox(),
  version: 4,
  migrations: {
    2: (old: Omit<InboxState, 'seen'>) => ({ ...old, seen: [] }),
    // Threads moved to their own item (written less often); the old copy is only a cache.
    3: (old: InboxState) => ({ ...old, messages: {} }),
    // Conversation status and read versions: cached conversations are open until the next sync says otherwise.
    4: (old: { conversations: Record<string, object> }) => ({
      ...old,
      conversations: Object.fromEntries(
        Object.entries(old.conversations).map(([id, c]) => [
          id,
          { status: 'open', snoozedUntil: null, statusReason: null, statusChangedAt: null, readVersion: 0, ...c },
        ]),
      ),
    }),
  },
});
/** The cached threads of those versions: read once with the inbox, moved, removed. */
export const legacyThreadsItem = /* @__PURE__ */ storage.defineItem<{ messages: InboxState['messages'] }>('local:threads', {
  fallback: { messages: {} },
  version: 1,
});
/** Who is signed in. */
export const agentItem = /* @__PURE__ */ storage.defineItem<AgentProfile | null>('local:agent', { fallback: null, version: 1 });
/** The organisation's agents and canned replies, refreshed on each connect. */
export const teamItem = /* @__PURE__ */ storage.defineItem<TeamState>('local:team', { fallback: { agents: [], cannedReplies: [] }, version: 1 });
/** What the admin view shows (admins only): the team, invitations, canned replies, channels, audit log. */
export const adminItem = /* @__PURE__ */ storage.defineItem<AdminOverview | null>('local:admin', { fallback: null, version: 1 });
/** Teams and every agent's availability (`GET /api/routing`), refreshed on connect and kept live by events. */
export const routingItem = /* @__PURE__ */ storage.defineItem<RoutingOverview | null>('local:routing', { fallback: null, version: 1 });
/**
 * The organisation's conversations counted per channel, status and assigned (`GET /api/counts`,
 * read on each connect, replaced by each `counts:update`): the side panel's *All* count beyond the
 * agent's delivery scope (docs/delivery-scope.md, "Counts").
 */
export const countsItem = /* @__PURE__ */ storage.defineItem<CountsResponse | null>('local:counts', { fallback: null, version: 1 });
/** Replies waiting for the server, oldest first: they survive a worker restart and go out once. */
export const outboxItem = /* @__PURE__ */ storage.defineItem<PendingReply[]>('local:outbox', { fallback: [], version: 1 });

// --- Live, for this browser session -----------------------------------------------------------
/** The connection's state, as the status bar and the toolbar badge show it. */
export const connectionItem = /* @__PURE__ */ storage.defineItem<ConnectionStatus>('session:connection', { fallback: initialStatus() });
/** Presence, typing and viewing of colleagues (volatile; expires on its own). */
export const collabItem = /* @__PURE__ */ storage.defineItem<CollabState>('session:collab', { fallback: emptyCollab() });
/** The conversation the side panel shows (written by the side panel). */
export const openConversationItem = /* @__PURE__ */ storage.defineItem<string | null>('session:openConversation', { fallback: null });
/** What the side panel shows right now (written by the side panel, read by the background). */
export const viewingItem = /* @__PURE__ */ storage.defineItem<Viewing>('session:viewing', { fallback: { conversationId: null, visible: false } });
/** The floor view's data (admins and leads), kept fresh by the background while a floor view is open; null: none open. */
export const floorItem = /* @__PURE__ */ storage.defineItem<FloorResponse | null>('session:floor', { fallback: null });
