import type { ZohoDataCentre } from './crm-places';
import type { CapacityWarning } from './routing';
import type { AgentConversationView, AgentProfile, AgentRole, AgentSummary, ConversationStatus, ConversationView, MessageView, ReadStateView } from './models';

/**
 * REST payloads of the Switchboard server (`/api/...`), shared by server and extension.
 */

/** `GET /api/sync?cursor=…`: everything that changed after `cursor`, in the caller's organisation. */
export interface SyncResponse {
  /** Opaque; pass it back to get what changed after this answer. */
  cursor: string;
  /** True when no cursor was given: `conversations` is then the newest page, not a delta. */
  full: boolean;
  conversations: AgentConversationView[];
  messages: MessageView[];
  /** True when more messages changed than one answer carries; the client refetches threads on open. */
  messagesTruncated: boolean;
}

/** `GET /api/conversations/:id/messages?before=…&limit=…` */
export interface MessagesPage {
  messages: MessageView[];
  hasMore: boolean;
}

/** `POST /api/conversations/:id/read` */
export interface MarkReadResponse {
  readState: ReadStateView;
}

/**
 * `POST /api/conversations` with `{ phone }` (E.164): the conversation with that number, created
 * on the organisation's first channel if there was none (201) or the existing one (200). Its read
 * state is fresh: the caller merges it by counters like any other copy.
 */
export interface StartConversationResponse {
  conversation: AgentConversationView;
}

/** `POST /api/conversations/:id/assign` with `{ assigneeId }` (an agent's id, or null to unassign). */
export interface AssignResponse {
  conversation: ConversationView;
  /** Routing: the assignee is now above their capacity in the conversation's team (the assignment is made). */
  warning?: CapacityWarning;
}

/** `POST /api/conversations/:id/status`: the conversation after the change (409 `new_messages` when the customer wrote since). */
export interface StatusResponse {
  conversation: ConversationView;
}

/** One conversation's outcome in a bulk change. */
export interface BulkStatusResult {
  id: string;
  /** `new_messages`: the customer wrote since the agent looked, left as it was. */
  outcome: 'changed' | 'unchanged' | 'new_messages' | 'not_found';
  conversation?: ConversationView;
}

/** `POST /api/conversations/status` */
export interface BulkStatusResponse {
  results: BulkStatusResult[];
}

/** `POST /api/conversations/:id/unread` */
export interface MarkUnreadResponse {
  readState: ReadStateView;
}

/** `GET /api/agents`: the organisation's agents. */
export interface AgentsResponse {
  agents: AgentSummary[];
}

/** A saved reply of the organisation, inserted in the composer with `/shortcut`. */
export interface CannedReply {
  id: string;
  shortcut: string;
  body: string;
}

/** `GET /api/canned-replies` */
export interface CannedRepliesResponse {
  cannedReplies: CannedReply[];
}

/** One hit of `GET /api/search?q=…`: a conversation, and its latest message containing the text (if any). */
export interface SearchResult {
  conversation: AgentConversationView;
  match: { messageId: string; body: string; createdAt: string } | null;
}

/** `GET /api/search?q=…`: the latest matches of every status (up to `limit`), and how many match in each status in all. */
export interface SearchResponse {
  results: SearchResult[];
  counts: Record<ConversationStatus, number>;
}

/** How many conversations of one channel have one status, assigned to someone or not. */
export interface ConversationCount {
  channelId: string;
  status: ConversationStatus;
  assigned: boolean;
  count: number;
}

/**
 * `GET /api/counts`, and the Socket.IO event `counts:update` (at most one a second per
 * organisation, after a change): the organisation's conversations counted per channel, status and
 * assigned or not, whoever's they are (docs/delivery-scope.md, "Counts"). Keys with none are left out.
 */
export interface CountsResponse {
  channels: ConversationCount[];
}

/** `POST /api/conversations/:id/notes` with `{ id, body }`: a private note (201, or 200 when the id was already stored). */
export interface NoteResponse {
  message: MessageView;
}

/** `GET /api/me` */
export type MeResponse = AgentProfile;

/**
 * `GET /api/config` (public): what an extension needs besides the workspace URL the agent typed.
 * Only public values: the anon key is meant for browsers (Row Level Security guards the data).
 */
export interface WorkspaceConfig {
  supabaseUrl: string;
  supabaseAnonKey: string;
  /** The workspace's display name, when the server is given one. */
  workspaceName: string | null;
  /** Extensions older than this must update before they connect. */
  minExtensionVersion: string;
}

/** Error body of every 4xx/5xx answer. */
export interface ApiError {
  error: string;
  message: string;
}

/** The server searches the history from this many characters (its trigram indexes need 3); shorter queries filter the cache only. */
export const SEARCH_MIN_CHARS = 3;

/** How long an invitation link works. */
export const INVITE_TTL_HOURS = 72;

/** An agent as an admin manages them. */
export interface TeamMember {
  id: string;
  displayName: string;
  email: string | null;
  role: AgentRole;
}

export interface InviteView {
  id: string;
  email: string;
  role: AgentRole;
  /** `email`: Supabase Auth e-mailed it; `link`: the admin sends the link. */
  delivery: 'link' | 'email';
  createdAt: string;
  expiresAt: string;
  acceptedAt: string | null;
}

/** A WhatsApp sender of the organisation, with what to paste into Twilio and whether Twilio has reached it. */
export interface ChannelView {
  id: string;
  name: string;
  whatsappNumber: string | null;
  messagingServiceSid: string | null;
  /** The exact incoming-message webhook URL for Twilio's console. */
  webhookUrl: string;
  /** The latest customer message Twilio delivered to this channel, or null: never reached. */
  lastInboundAt: string | null;
}

/**
 * A number no channel owns yet, with messages that came to the organisation's own webhook URL
 * (so whoever holds the Twilio account pointed it at this organisation): the admin may set it up.
 */
export interface WaitingNumber {
  whatsappNumber: string; // whatsapp:+E164
  count: number;
  firstAt: string;
  lastAt: string;
  latest: { from: string; body: string };
}

/** `POST /api/admin/channels`: the channel set up, and how many waiting messages it took in. */
export interface CreateChannelResponse {
  channel: ChannelView;
  routed: number;
}

/** Who did what, when. */
export interface AuditEntry {
  id: number;
  actorName: string;
  action: string;
  detail: Record<string, unknown>;
  at: string;
}

/** `GET /api/admin/overview` (admins only): everything the admin view shows. */
export interface AdminOverview {
  members: TeamMember[];
  invites: InviteView[];
  cannedReplies: CannedReply[];
  channels: ChannelView[];
  /** This organisation's own incoming-message webhook URL, for any number it points at Twilio. */
  webhookUrl: string;
  /** Numbers not set up yet with messages waiting for this organisation. */
  waiting: WaitingNumber[];
  audit: AuditEntry[];
  /** The CRM conversations are logged in (docs/crm.md). */
  crm: CrmStatus;
}

/** The CRMs Switchboard writes conversations to. */
export type CrmVendor = 'hubspot' | 'pipedrive' | 'salesforce' | 'zoho';

/** `GET /api/admin/crm`: the organisation's CRM write-back (docs/crm.md). */
export interface CrmStatus {
  /** The CRMs this server can connect (their apps and the token key are configured). */
  vendors: Array<{
    vendor: CrmVendor;
    name: string;
    /** Where an account may be, when the admin must say (Zoho's data centres). */
    regions?: Array<{ id: ZohoDataCentre; name: string }>;
  }>;
  connection: {
    vendor: CrmVendor;
    vendorName: string;
    /** The CRM account (HubSpot portal id, Pipedrive company). */
    account: string | null;
    /** One record per conversation per 24 hours ('window'), or one per message. */
    logMode: 'window' | 'message';
    connectedAt: string;
    lastWriteAt: string | null;
    lastError: string | null;
    lastErrorAt: string | null;
    /** Records waiting to be written, and how long the oldest has waited (seconds): how far behind. */
    pending: number;
    oldestPendingSeconds: number | null;
    /** Customers no CRM record matched by phone. */
    unmatched: number;
    /** Writes wait until then (the CRM's daily budget is spent, or it asked to slow down), and why. */
    pausedUntil: string | null;
    pausedReason: string | null;
    /** Writes wait for the admin: what to do in the CRM (a scope, a field's access); Check connection clears it. */
    needsSetup: string | null;
    /** The last *Check connection*, if any (it also runs right after connecting). */
    lastCheck: CrmCheckResult | null;
  } | null;
}

/** One step of *Check connection*, as the admin reads it. */
export interface CrmCheckStep {
  id: string;
  /** What was checked, in plain words ("Scopes granted"). */
  label: string;
  state: 'ok' | 'failed' | 'skipped';
  /** What was found ("crm.schemas.contacts.write is missing"). */
  detail: string;
  /** What to do about it, in the CRM's own terms; with every failed step. */
  fix?: string;
}

/** `POST /api/admin/crm/check`: every step, and whether all passed. */
export interface CrmCheckResult {
  at: string;
  ok: boolean;
  steps: CrmCheckStep[];
}

/** `GET /api/conversations/:id/crm`: the customer's record in the organisation's CRM, for the thread header. */
export interface CrmRecordView {
  vendorName: string;
  /** Whether a record has the customer's number. */
  matched: boolean;
  /** The record in the CRM's own app (null when unmatched, or the account is not known). */
  recordUrl: string | null;
}

/** `GET /api/conversations/:id/crm/search?q=`: CRM records an agent may link the customer to. */
export interface CrmCandidate {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
}

/** `POST /api/admin/crm/connect`: where the admin's browser goes to let Switchboard in. */
export interface CrmConnectResponse {
  /**
   * The server's own start link (`<PUBLIC_URL>/api/crm/oauth/start?attempt=…`), single use, for
   * the admin's browser to open at once: it binds the attempt to that browser, then goes on to the
   * CRM's consent page (docs/security.md, "CRM OAuth"). The name is kept from when this was the
   * CRM's URL, so extensions already installed open it unchanged.
   */
  authorizeUrl: string;
}

/** `POST /api/admin/invites`: the link to send the invitee (its token is shown once, never stored). */
export interface CreateInviteResponse {
  invite: InviteView;
  link: string;
  /** Asked to e-mail it: whether Supabase Auth sent the e-mail; if not, why (the link still works). */
  emailed: boolean;
  emailProblem: string | null;
}

/** `POST /api/uploads/tickets`: where the side panel uploads one file (the ticket is in the URL; it expires). */
export interface UploadTicket {
  url: string;
  expiresAt: string;
}

/** `POST /api/uploads?ticket=…`: the stored file, checked by its bytes. */
export interface UploadView {
  id: string;
  contentType: string;
  size: number;
  name: string;
}

/** A message's file as the side panel gets it from the background: a data: URL, with what the server knows of it. */
/**
 * `POST /api/conversations/:id/messages/:message/media/:index/link`: a link to a message's file
 * that works without signing in (for a CRM record or a colleague) until `expiresAt`.
 */
export interface MediaLink {
  url: string;
  expiresAt: string;
}

export interface LoadedMedia {
  dataUrl: string;
  contentType: string;
  fileName: string | null;
  size: number;
}
