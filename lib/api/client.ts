import { fileNameOf } from '../contract/whatsapp';
import type {
  AdminOverview,
  CreateChannelResponse,
  UploadTicket,
  UploadView,
  AgentsResponse,
  AssignResponse,
  BulkStatusResponse,
  CannedRepliesResponse,
  CountsResponse,
  CreateInviteResponse,
  MarkReadResponse,
  MarkUnreadResponse,
  MeResponse,
  MessagesPage,
  NoteResponse,
  SearchResponse,
  StartConversationResponse,
  SyncResponse,
  CrmCheckResult,
  CrmConnectResponse,
  CrmCandidate,
  CrmVendor,
  CrmRecordView,
  MediaLink,
} from '../contract/api';
import type { AgentRole, ConversationStatus } from '../contract/models';
import type { MessageView } from '../contract/models';
import type { ReplyWindow, TemplateView } from '../contract/reply-window';
import type { FloorResponse, ReportChannelsResponse, ReportResponse } from '../contract/reports';
import type { AgentRoutingView, Availability, RoutingOverview } from '../contract/routing';
import type { businessHoursRequest, reportCsvQuery, reportQuery, slaPolicyRequest, teamPatchRequest, teamRequest } from '../contract/schemas';
import type { z } from 'zod';

/** What a reply carries: text and/or a file by URL, or an approved template. */
export interface ReplyContent {
  body?: string;
  mediaUrl?: string;
  template?: { sid: string; variables: Record<string, string> };
  /** A file the agent uploaded (sent as its `uploadId`; kept whole to show while pending). */
  upload?: UploadView;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ApiError';
  }
}

/** The Switchboard REST API, authenticated with the agent's current access token. */
export function createApiClient(opts: { serverUrl: string; getToken: () => Promise<string | null>; fetch?: typeof fetch }) {
  const doFetch = opts.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  /** A request whose answer is OK (else its error thrown as an ApiError). */
  async function send(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<Response> {
    const token = await opts.getToken();
    if (!token) throw new ApiError(401, 'signed_out', 'not signed in');
    let res: Response;
    try {
      res = await doFetch(opts.serverUrl.replace(/\/$/, '') + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
    } catch (err) {
      throw new ApiError(0, 'network', `cannot reach the Switchboard server at ${opts.serverUrl}`, { cause: err });
    }
    if (!res.ok) {
      const answer = (await res.json().catch(() => ({}))) as { error?: string; message?: string };
      throw new ApiError(res.status, answer.error ?? 'http_error', answer.message ?? res.statusText);
    }
    return res;
  }
  async function call<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const res = await send(method, path, body);
    if (res.status === 204) return null as T; // no content: nothing to say (e.g. no CRM)
    return (await res.json().catch(() => ({}))) as T;
  }
  /** A query string of the defined values. */
  const query = (values: Record<string, string | undefined>) =>
    new URLSearchParams(Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined)).toString();
  return {
    me: () => call<MeResponse>('GET', '/api/me'),
    sync: (cursor: string | null) => call<SyncResponse>('GET', `/api/sync${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`),
    messages: (conversationId: string, before?: string) =>
      call<MessagesPage>('GET', `/api/conversations/${conversationId}/messages${before ? `?before=${encodeURIComponent(before)}` : ''}`),
    reply: (conversationId: string, id: string, { upload, ...content }: ReplyContent) =>
      call<{ message: MessageView }>('POST', `/api/conversations/${conversationId}/messages`, { id, ...content, ...(upload ? { uploadId: upload.id } : {}) }),
    /** Where the side panel may upload one file (the side panel holds no token). */
    uploadTicket: () => call<UploadTicket>('POST', '/api/uploads/tickets'),
    /** The customer's CRM record; null when the organisation has no CRM (204). */
    crmRecord: (conversationId: string) => call<CrmRecordView | null>('GET', `/api/conversations/${conversationId}/crm`),
    crmSearch: (conversationId: string, query: string) =>
      call<CrmCandidate[]>('GET', `/api/conversations/${conversationId}/crm/search?q=${encodeURIComponent(query)}`),
    crmLink: (conversationId: string, recordId: string) => call<CrmRecordView | null>('PUT', `/api/conversations/${conversationId}/crm`, { recordId }),
    crmCreateContact: (conversationId: string) => call<CrmRecordView | null>('POST', `/api/conversations/${conversationId}/crm/contact`),
    templates: (conversationId: string) => call<{ window: ReplyWindow; templates: TemplateView[] }>('GET', `/api/conversations/${conversationId}/templates`),
    /** A media file of a message, as a Blob (at most `maxBytes`). */
    /** A message's file (up to WhatsApp's 16 MB), with the name the server knows for it. */
    media: async (conversationId: string, messageId: string, index: number, maxBytes = 16 * 2 ** 20): Promise<{ blob: Blob; fileName: string | null }> => {
      const token = await opts.getToken();
      if (!token) throw new ApiError(401, 'signed_out', 'not signed in');
      const res = await doFetch(`${opts.serverUrl.replace(/\/$/, '')}/api/conversations/${conversationId}/messages/${messageId}/media/${index}`, {
        headers: { authorization: `Bearer ${token}` },
      }).catch((err) => {
        throw new ApiError(0, 'network', `cannot reach the Switchboard server at ${opts.serverUrl}`, { cause: err });
      });
      if (!res.ok) throw new ApiError(res.status, 'media', `media unavailable (${res.status})`);
      const blob = await res.blob();
      if (blob.size > maxBytes) throw new ApiError(413, 'too_large', 'this file is too large to preview; open it from WhatsApp');
      return { blob, fileName: fileNameOf(res.headers.get('content-disposition')) };
    },
    /** A link to a message's file that works without signing in (a CRM record, a colleague), until it expires. */
    mediaLink: (conversationId: string, messageId: string, index: number) =>
      call<MediaLink>('POST', `/api/conversations/${conversationId}/messages/${messageId}/media/${index}/link`),
    startConversation: (phone: string) => call<StartConversationResponse>('POST', '/api/conversations', { phone }),
    markRead: (conversationId: string) => call<MarkReadResponse>('POST', `/api/conversations/${conversationId}/read`),
    assign: (conversationId: string, assigneeId: string | null) => call<AssignResponse>('POST', `/api/conversations/${conversationId}/assign`, { assigneeId }),
    /** Resolves, reopens or snoozes conversations; each with the inbound count the agent saw (refused if the customer wrote since). */
    setStatus: (conversations: Array<{ id: string; seenInboundCount: number }>, status: ConversationStatus, snoozedUntil: string | null) =>
      call<BulkStatusResponse>('POST', '/api/conversations/status', { conversations, status, snoozedUntil }),
    markUnread: (conversationId: string, fromMessageId: string | null) =>
      call<MarkUnreadResponse>('POST', `/api/conversations/${conversationId}/unread`, { fromMessageId }),
    note: (conversationId: string, id: string, body: string) => call<NoteResponse>('POST', `/api/conversations/${conversationId}/notes`, { id, body }),
    /** The organisation's conversations counted per channel, status and assigned (docs/delivery-scope.md, "Counts"). */
    counts: () => call<CountsResponse>('GET', '/api/counts'),
    agents: () => call<AgentsResponse>('GET', '/api/agents'),
    cannedReplies: () => call<CannedRepliesResponse>('GET', '/api/canned-replies'),
    search: (query: string) => call<SearchResponse>('GET', `/api/search?q=${encodeURIComponent(query)}`),
    /** A report over a period (docs/reports.md): admins and leads only (403 `reports_only` for an agent). */
    report: (q: z.input<typeof reportQuery>) => call<ReportResponse>('GET', `/api/reports?${query(q)}`),
    /** The organisation's channels, for a report's channel filter (admins and leads). */
    reportChannels: () => call<ReportChannelsResponse>('GET', '/api/reports/channels'),
    /** One table of that report as CSV text (the byte order mark the server sends is dropped by decoding). */
    reportCsv: async (q: z.input<typeof reportCsvQuery>) => (await send('GET', `/api/reports/csv?${query(q)}`)).text(),
    /** The live floor now (docs/reports.md, "Floor"): admins and leads only. */
    floor: () => call<FloorResponse>('GET', '/api/floor'),
    /** Routing (docs/routing.md): every agent reads it and sets their own availability; admins change teams. */
    routing: {
      overview: () => call<RoutingOverview>('GET', '/api/routing'),
      setAvailability: (availability: Availability) => call<{ agent: AgentRoutingView }>('PUT', '/api/routing/availability', { availability }),
      createTeam: (team: z.input<typeof teamRequest>) => call<{ id: string }>('POST', '/api/admin/teams', team),
      updateTeam: (teamId: string, patch: z.input<typeof teamPatchRequest>) => call<unknown>('PATCH', `/api/admin/teams/${teamId}`, patch),
      deleteTeam: (teamId: string) => call<unknown>('DELETE', `/api/admin/teams/${teamId}`),
      setMember: (teamId: string, agentId: string, capacity: number | null) =>
        call<unknown>('PUT', `/api/admin/teams/${teamId}/members/${agentId}`, { capacity }),
      removeMember: (teamId: string, agentId: string) => call<unknown>('DELETE', `/api/admin/teams/${teamId}/members/${agentId}`),
      setChannelTeam: (channelId: string, teamId: string | null) => call<unknown>('PUT', `/api/admin/channels/${channelId}/team`, { teamId }),
      setHours: (teamId: string, hours: z.input<typeof businessHoursRequest>) => call<unknown>('PUT', `/api/admin/teams/${teamId}/hours`, hours),
      setSla: (teamId: string, sla: z.input<typeof slaPolicyRequest> | null) =>
        sla ? call<unknown>('PUT', `/api/admin/teams/${teamId}/sla`, sla) : call<unknown>('DELETE', `/api/admin/teams/${teamId}/sla`),
    },
    /** Admins only (403 `admin_only` for an agent). */
    admin: {
      overview: () => call<AdminOverview>('GET', '/api/admin/overview'),
      invite: (email: string, role: AgentRole, delivery: 'link' | 'email') =>
        call<CreateInviteResponse>('POST', '/api/admin/invites', { email, role, delivery }),
      revokeInvite: (id: string) => call<unknown>('DELETE', `/api/admin/invites/${id}`),
      setRole: (agentId: string, role: AgentRole) => call<unknown>('POST', `/api/admin/agents/${agentId}/role`, { role }),
      removeAgent: (agentId: string) => call<unknown>('DELETE', `/api/admin/agents/${agentId}`),
      saveCannedReply: (shortcut: string, body: string) => call<unknown>('POST', '/api/admin/canned-replies', { shortcut, body }),
      deleteCannedReply: (id: string) => call<unknown>('DELETE', `/api/admin/canned-replies/${id}`),
      createChannel: (whatsappNumber: string, name: string) => call<CreateChannelResponse>('POST', '/api/admin/channels', { whatsappNumber, name }),
      connectCrm: (vendor: CrmVendor, region?: string) => call<CrmConnectResponse>('POST', '/api/admin/crm/connect', { vendor, region }),
      disconnectCrm: () => call<unknown>('DELETE', '/api/admin/crm'),
      checkCrm: (writeTest: boolean) => call<CrmCheckResult>('POST', '/api/admin/crm/check', { writeTest }),
      setCrmLogMode: (logMode: 'window' | 'message') => call<unknown>('PATCH', '/api/admin/crm', { logMode }),
    },
  };
}
export type ApiClient = ReturnType<typeof createApiClient>;
