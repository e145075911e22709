import { defineExtensionMessaging } from '@webext-core/messaging';
import type { z } from 'zod';
import type {
  CreateChannelResponse,
  CreateInviteResponse,
  LoadedMedia,
  MediaLink,
  UploadTicket,
  MessagesPage,
  SearchResponse,
  CrmConnectResponse,
  CrmCandidate,
  CrmRecordView,
  CrmCheckResult,
} from '../contract/api';
import type { AgentProfile } from '../contract/models';
import type { CapacityWarning } from '../contract/routing';
import type { FailureReason } from './failures';
import type { ReplyWindow, TemplateView } from '../contract/reply-window';
import type { ReportChannelsResponse, ReportResponse } from '../contract/reports';
import type { BadgeInfo } from '../overlay/badge-info';
import type { InboxPatch, InboxState } from '../inbox/state';
import type { StatusSummary } from '../inbox/types';
import type { overlayPortRequest, requestSchemas } from './schemas';

/**
 * The one protocol between extension contexts. Requests go from a UI (options page, side panel)
 * to the background and get a `Result`; the background validates every payload against
 * `requestSchemas` (`./schemas.ts`, kept apart so pages and content scripts do not bundle zod)
 * and checks the sender before a handler runs. Background → UI: the inbox flows over a port
 * (`PANEL_PORT`, snapshot then patches), badges over `OVERLAY_PORT`, a page showing the floor
 * holds `FLOOR_PORT` (while it is open, `floorItem` is kept live), and small state (connection
 * status, team, collaboration) through storage items that UIs watch. A failure the page can say in
 * the agent's language carries its `reason` (`./failures.ts`) beside the English `error`.
 */
export type Result<T> = { data: T } | { error: string; reason?: FailureReason };

/** What each request carries, inferred from the schema the background validates it with. */
export type Requests = { [K in keyof typeof requestSchemas]: z.infer<(typeof requestSchemas)[K]> };

/** What each request answers with (inside its `Result`). */
export interface Responses {
  'auth:signIn': AgentProfile;
  'auth:signOut': null;
  /** Connects to a workspace by its URL: the server publishes the rest (`GET /api/config`). */
  'settings:connect': { workspaceName: string | null; url: string };
  'inbox:openConversation': null;
  /** Opens (or starts) the conversation with a number, e.g. from a contact card a customer shared. */
  'inbox:openPhone': { conversationId: string };
  'connection:reconnect': null;
  'composer:typing': null;
  /** Sends text (and/or a file by URL) or a template; offline, it waits and goes out once when back. */
  'composer:send': null;
  /** A private note for colleagues; offline, it waits in the outbox like a reply. */
  'composer:note': null;
  /** Assigns the conversation (to an agent of the organisation), or unassigns it (null); made even above the assignee's capacity, with a warning. */
  'inbox:assign': { warning: CapacityWarning | null };
  /** Resolves, reopens or snoozes conversations; says how many changed and how many the customer wrote to since (left open). */
  'inbox:setStatus': StatusSummary;
  /** Marks a conversation unread (from a message down, or its latest customer message). */
  'inbox:markUnread': null;
  /** Server-side search over names, numbers and the whole message history, in every status, with counts per status. */
  'inbox:search': SearchResponse;
  /** A page of older messages of a thread (newest first), kept by the side panel, not the cache. */
  'inbox:older': MessagesPage;
  /** Sends a failed reply's text again, as a new message. */
  'composer:retry': null;
  /** Where the side panel may upload one file (a URL with a ticket, for a few minutes). */
  'composer:uploadTicket': UploadTicket;
  /** The reply window and the approved templates for a conversation. */
  'composer:templates': { window: ReplyWindow; templates: TemplateView[] };
  /** An inbound media file, fetched with the agent's token (the side panel holds none). */
  'media:get': LoadedMedia;
  /** A link to a message's file that works without signing in, for a CRM record or a colleague (for `CRM_MEDIA_LINK_DAYS`). */
  'media:link': MediaLink;
  /** Admins: reads the admin view's data again (into `adminItem`). */
  'admin:refresh': null;
  /** Admins: an invitation; its link is shown once. */
  'admin:invite': CreateInviteResponse;
  'admin:revokeInvite': null;
  'admin:setRole': null;
  /** Admins: takes an agent out (its sockets are cut at once). */
  'admin:removeAgent': null;
  'admin:saveCannedReply': null;
  'admin:deleteCannedReply': null;
  /** Admins: sets up a number whose messages wait for the organisation; they reach the team. */
  'admin:createChannel': CreateChannelResponse;
  /** Admins: where to approve Switchboard in the CRM (opened in a tab; the CRM sends the browser back to the server). */
  'admin:connectCrm': CrmConnectResponse;
  /** Admins and leads: a report over a period (docs/reports.md); an agent gets the server's `reports_only`. */
  'reports:get': ReportResponse;
  /** Admins and leads: one table of that report as CSV text (UTF-8; the page adds the byte order mark to the file). */
  'reports:csv': { csv: string };
  /** Admins and leads: the organisation's channels, for the report's channel filter. */
  'reports:channels': ReportChannelsResponse;
  /** Reads teams and every agent's availability again (into `routingItem`). */
  'routing:refresh': null;
  /** The agent's own availability: only available (and connected) agents receive conversations. */
  'routing:setAvailability': null;
  /** Admins: a team (docs/routing.md); each change is followed by `routingItem` read again. */
  'admin:createTeam': { id: string };
  'admin:updateTeam': null;
  'admin:deleteTeam': null;
  /** Admins: adds an agent to a team, or changes their capacity (null: the team's default). */
  'admin:setTeamMember': null;
  'admin:removeTeamMember': null;
  /** Admins: the team that answers a channel (null: none). */
  'admin:setChannelTeam': null;
  'admin:setTeamHours': null;
  /** Admins: a team's SLA targets (null: no policy). */
  'admin:setTeamSla': null;
  /** The customer's CRM record for the thread header (null: the organisation has no CRM). */
  'crm:record': CrmRecordView | null;
  /** Records of the CRM an agent may link a customer no record matched to. */
  'crm:search': CrmCandidate[];
  /** Links the conversation's customer to a CRM record; its conversations are logged there from now on. */
  'crm:link': CrmRecordView | null;
  /** Creates a CRM contact for the conversation's customer (their WhatsApp name and number). */
  'crm:createContact': CrmRecordView | null;
  'admin:disconnectCrm': null;
  /** Admins: *Check connection* against the connected CRM, each step and what to do (the admin view shows it too). */
  'admin:checkCrm': CrmCheckResult;
  'admin:setCrmLogMode': null;
  /** Enables the overlay on a site whose permission the calling page has just obtained. */
  'sites:enable': null;
  'sites:disable': null;
  /** A badge was clicked (a real click): open the side panel on that number's conversation (started if needed). */
  'overlay:open': { conversationId: string };
}

/** The same keys on both sides: a request without a schema, or without an answer type, leaves the protocol `never`. */
type SameKeys<A, B> = [Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>] extends [never] ? true : false;

/** Every request with its data and its answer; nothing compiles until each has a schema and an answer type. */
export type ProtocolMap =
  SameKeys<Requests, Responses> extends true ? { [K in keyof Responses]: (data: Requests[K & keyof Requests]) => Result<Responses[K]> } : never;

/**
 * Badges on CRM pages stay live through one long-lived port per page: the content script says
 * which numbers the page shows, the background answers with their badges and pushes changes.
 * The content script opens no connection of its own.
 */
export const OVERLAY_PORT = 'switchboard-crm';

/** Side panels hold a copy of the inbox: the background pushes each change (`InboxPatch`) over this port. */
export const PANEL_PORT = 'switchboard-panel';
/**
 * What the background tells a side panel on `PANEL_PORT`: the first screen of the inbox (the newest
 * conversations, `firstScreen`: painted at once), then the whole state, then every change to it.
 */
export type PanelNotice = { type: 'firstScreen'; state: InboxState } | { type: 'snapshot'; state: InboxState } | { type: 'patch'; patch: InboxPatch };
/**
 * What a side panel says on `PANEL_PORT`: the list rows on screen, whose typing and viewing are
 * wanted (`panelPortRequest`). A port message, not a request: it comes with nearly every message
 * in a busy inbox, and a request costs the panel and the worker several times more.
 */
export type PanelRequest = { type: 'visible'; conversationIds: string[] };
/**
 * A page showing the live floor (admins and leads) holds this port open while it is on screen; the
 * background keeps `floorItem` current until the port disconnects (docs/reports.md, "Floor").
 */
export const FLOOR_PORT = 'switchboard-floor';
/**
 * A page showing more than the agent's own scope (docs/delivery-scope.md): the side panel's *All*
 * view, or another team's conversations. While any page holds this port the background receives
 * the organisation's whole stream; when the last one lets go, only the agent's scope again.
 */
export const WHOLE_INBOX_PORT = 'switchboard-whole-inbox';
/** The server refused the floor (an agent is not a lead): the page says so. */
export type FloorPortNotice = { type: 'error'; message: string };
export type CrmPortRequest = z.infer<typeof overlayPortRequest>;
export type OverlayPortNotice =
  /**
   * Badges by number: with `complete`, one for every number the page reported (what it had is
   * replaced); without, only the numbers whose badge changed since the last notice (a message
   * changes one badge: the page gets and redraws that one).
   */
  | { type: 'badges'; signedIn: boolean; badges: Record<string, BadgeInfo>; complete: boolean }
  /** The agent turned the overlay off for this site: remove every badge and stop. */
  | { type: 'disable' };

export const { sendMessage, onMessage } = defineExtensionMessaging<ProtocolMap>({ logger: undefined });

/**
 * Background → its offscreen document (Chrome: a service worker cannot play audio). Apart from
 * `ProtocolMap`, whose requests only the background answers; answers with the number of sounds played.
 */
export interface SoundProtocolMap {
  'sound:play': () => number;
}
export const { sendMessage: sendSoundMessage, onMessage: onSoundMessage } = defineExtensionMessaging<SoundProtocolMap>({ logger: undefined });

/** The data of a request's `Result`, or its error thrown. */
export async function unwrap<T>(result: Promise<Result<T>>): Promise<T> {
  const r = await result;
  if ('error' in r) throw new Error(r.error);
  return r.data;
}
