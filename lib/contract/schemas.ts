import { z } from 'zod';
import { SEARCH_MIN_CHARS, type CrmVendor } from './api';
import { ZOHO_DATA_CENTRE_IDS, type ZohoDataCentre } from './crm-places';
import { REPORT_MAX_DAYS, REPORT_TABLES } from './reports';

/**
 * The schemas of everything that crosses a boundary between the extension and the server: REST
 * bodies and queries, Socket.IO payloads, and the parts of extension messages that end up in
 * them. Both sides import these, so what the extension accepts is what the server accepts.
 */

/** A phone number in E.164 form, `+` then 7 to 15 digits. */
export const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +14155550134');

export const BODY_MAX = 4096;

/** A template variable's name, as in its `{{1}}` placeholder. */
const templateVariableName = z.string().regex(/^\w{1,20}$/, 'template variable names are letters, digits and _');

/** An approved WhatsApp template (Twilio Content sid `HX…`) and its variables. */
export const templateRef = z.object({
  sid: z.string().regex(/^HX[0-9a-f]{32}$/, 'template sid must look like HX followed by 32 hex digits'),
  variables: z.record(templateVariableName, z.string().max(1024)).default({}),
});

/** The labels of a template's variables ('1' → 'Customer name'), as an admin gives them with the template. */
export const templateVariableLabels = z.record(
  templateVariableName,
  z.string().trim().min(1, 'a label cannot be empty').max(60, 'a label is at most 60 characters'),
);

/** What a reply carries: text and/or one file by public https URL, or a template alone. */
export const replyContentShape = {
  body: z.string().trim().max(BODY_MAX).optional(),
  /** A file the customer receives, by public https URL (Twilio fetches it; the server checks the host). */
  mediaUrl: z
    .url({ protocol: /^https$/, error: 'mediaUrl must be an https URL' })
    .max(2048)
    .optional(),
  template: templateRef.optional(),
  /** A file the agent uploaded (`POST /api/uploads`); `body` is its caption. */
  uploadId: z.uuid().optional(),
};

/** A stored upload as the server described it (`POST /api/uploads`). */
export const uploadView = z.object({
  id: z.uuid(),
  contentType: z.string().min(1).max(255),
  size: z.number().int().positive(),
  name: z.string().min(1).max(255),
});

/** The rules every reply follows, wherever it is checked (the composer, the background, the server). */
export function replyRules(r: { body?: string; mediaUrl?: string; template?: unknown; uploadId?: string }, ctx: z.RefinementCtx): void {
  if (!(r.template || r.body || r.mediaUrl || r.uploadId))
    ctx.addIssue({ code: 'custom', message: 'a reply cannot be empty: send text, a file (uploadId or mediaUrl) or a template' });
  if (r.template && (r.body || r.mediaUrl || r.uploadId)) ctx.addIssue({ code: 'custom', message: 'a template is sent alone, without body or file' });
  if (r.mediaUrl && r.uploadId) ctx.addIssue({ code: 'custom', message: 'one file per WhatsApp message: an uploadId or a mediaUrl, not both' });
}

/** `POST /api/conversations/:id/messages`: `id` is the client's, and the idempotency key. */
export const replyRequest = z.object({ id: z.uuid(), ...replyContentShape }).superRefine(replyRules);

/** `POST /api/conversations/:id/notes` */
export const noteShape = { body: z.string().trim().min(1, 'a note cannot be empty').max(BODY_MAX) };
export const noteRequest = z.object({ id: z.uuid(), ...noteShape });

/** `POST /api/conversations` */
export const startConversationRequest = z.object({ phone: e164 });

/** `POST /api/conversations/:id/assign` */
export const assignRequest = z.object({ assigneeId: z.uuid().nullable() });

/** How far ahead a conversation can be snoozed. */
export const SNOOZE_MAX_DAYS = 366;

const snoozeFields = {
  status: z.enum(['open', 'snoozed', 'resolved']),
  /** Required when snoozing: when it reopens by itself (in the future, within a year). */
  snoozedUntil: z.iso.datetime({ offset: true }).nullish(),
};
function snoozeRules(r: { status: string; snoozedUntil?: string | null }, ctx: z.RefinementCtx): void {
  if (r.status !== 'snoozed') {
    if (r.snoozedUntil) ctx.addIssue({ code: 'custom', path: ['snoozedUntil'], message: 'only a snooze has an end time' });
    return;
  }
  if (!r.snoozedUntil) return void ctx.addIssue({ code: 'custom', path: ['snoozedUntil'], message: 'a snooze needs the time it ends' });
  const at = Date.parse(r.snoozedUntil);
  if (at <= Date.now()) ctx.addIssue({ code: 'custom', path: ['snoozedUntil'], message: 'a snooze must end in the future' });
  if (at > Date.now() + SNOOZE_MAX_DAYS * 86_400_000)
    ctx.addIssue({ code: 'custom', path: ['snoozedUntil'], message: `a snooze ends within ${SNOOZE_MAX_DAYS} days` });
}
/** The inbound count the agent saw: a resolve or snooze is refused if the customer wrote since. */
const seenInboundCount = z.number().int().min(0).nullish();

/** `POST /api/conversations/:id/status` */
export const statusRequest = z.object({ ...snoozeFields, seenInboundCount }).superRefine(snoozeRules);

/** `POST /api/conversations/status`: the same change for several conversations (bulk resolve). */
export const bulkStatusRequest = z
  .object({
    ...snoozeFields,
    conversations: z
      .array(z.object({ id: z.uuid(), seenInboundCount }))
      .min(1)
      .max(100),
  })
  .superRefine(snoozeRules);

/** `POST /api/conversations/:id/unread`: from a message down, or (no id) from the latest customer message. */
export const unreadRequest = z.object({ fromMessageId: z.uuid().nullish() });

/** `GET /api/search?q=…` (the trigram indexes serve only 3 characters or more). */
export const searchQuery = z.object({
  q: z.string().trim().min(SEARCH_MIN_CHARS, `search for at least ${SEARCH_MIN_CHARS} characters`).max(200),
  limit: z.coerce.number().int().min(1).max(100).default(30),
});

/** `GET /api/conversations/:id/messages?before=…&limit=…` */
export const messagesQuery = z.object({
  before: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** Socket.IO: `conversation:join`, `conversation:leave`, `typing:start`, `typing:stop`. */
export const conversationRef = z.object({ conversationId: z.uuid() });
/** Socket.IO: `presence:set`. */
export const presenceRequest = z.object({ state: z.enum(['online', 'away']) });
/** `conversations:watch` */
/** `inbox:whole`: the agent shows more than its own scope (the All view) or no longer does. */
export const wholeInboxRequest = z.object({ whole: z.boolean() });
export const inboxRowsRequest = z.object({ realtime: z.boolean() });
export const watchRequest = z.object({ conversationIds: z.array(z.uuid()).max(500, 'watch at most 500 conversations') });
/** Socket.IO: `auth:refresh`. */
export const authRefreshRequest = z.object({ token: z.string().min(1).max(8192) });

/** `GET /api/config`, as the extension checks the server's answer before trusting it. */
export const workspaceConfig = z.object({
  supabaseUrl: z.url({ protocol: /^https?$/ }),
  supabaseAnonKey: z.string().min(1).max(4096),
  workspaceName: z.string().max(200).nullable(),
  minExtensionVersion: z.string().regex(/^\d+(\.\d+){0,3}$/),
});

const role = z.enum(['admin', 'lead', 'agent']);
/** `POST /api/admin/invites` */
export const inviteRequest = z.object({
  email: z.email('enter the invitee’s email address').max(320),
  role: role.default('agent'),
  /** `email`: Supabase Auth e-mails the invitation too (the link is answered either way). */
  delivery: z.enum(['link', 'email']).default('link'),
});
/** `POST /api/admin/agents/:id/role` */
export const roleRequest = z.object({ role });
/** `POST /api/admin/canned-replies` (adds, or replaces the text of a shortcut) */
export const cannedReplyRequest = z.object({
  shortcut: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'a shortcut is up to 32 letters, digits, - or _'),
  body: z.string().trim().min(1, 'a canned reply needs text').max(BODY_MAX),
});
/** `POST /api/admin/channels`: sets up a number whose messages are waiting for the organisation. */
export const createChannelRequest = z.object({
  whatsappNumber: z.string().regex(/^whatsapp:\+[1-9]\d{6,14}$/, 'must be whatsapp:+ followed by an E.164 number'),
  name: z.string().trim().min(1, 'name the channel (the team sees it)').max(200),
});
/** `POST /api/invites/accept` (public: the invitee has no account yet) */
/** `POST /api/invites/preview` (public): the invitation's organisation and role, by the same proof as accepting. */
export const previewInviteRequest = z
  .object({ token: z.string().min(20).max(200).optional(), accessToken: z.string().min(20).max(8192).optional(), invitation: z.uuid().optional() })
  .refine((b) => !!b.token !== !!b.accessToken, { message: 'give the invitation’s token or the e-mailed link’s session', path: ['token'] })
  .refine((b) => !b.accessToken || !!b.invitation, { message: 'open the whole link from the e-mail (it names the invitation)', path: ['invitation'] });
export const acceptInviteRequest = z
  .object({
    /** From an invitation link. */
    token: z.string().min(20).max(200).optional(),
    /** From Supabase Auth's e-mailed invitation: the session it signed the invitee in with… */
    accessToken: z.string().min(20).max(8192).optional(),
    /** …and the invitation its link names (`/invite?invitation=<id>`). */
    invitation: z.uuid().optional(),
    /** A new account's password, or (an address that has an account) that account's own. */
    password: z.string().min(8, 'choose a password of at least 8 characters').max(200),
    displayName: z.string().trim().min(1, 'enter your name').max(200),
  })
  .refine((b) => !!b.token !== !!b.accessToken, { message: 'give the invitation’s token or the e-mailed link’s session', path: ['token'] })
  .refine((b) => !b.accessToken || !!b.invitation, { message: 'open the whole link from the e-mail (it names the invitation)', path: ['invitation'] });

/** The CRMs Switchboard writes conversations to. */
export const crmVendor = z.enum(['hubspot', 'pipedrive', 'salesforce', 'zoho']) satisfies z.ZodType<CrmVendor>;

/** `POST /api/admin/crm/connect`: which CRM, and for Zoho CRM the data centre its account lives in. */
export const crmConnectRequest = z.object({ vendor: crmVendor, region: z.enum(ZOHO_DATA_CENTRE_IDS as [ZohoDataCentre, ...ZohoDataCentre[]]).optional() });

/** `PATCH /api/admin/crm`: a record per 24-hour window of a conversation, or per message. */
export const crmLogModeRequest = z.object({ logMode: z.enum(['window', 'message']) });

/** `POST /api/admin/crm/check`: *Check connection*, with the opt-in test record. */
export const crmCheckRequest = z.object({ writeTest: z.boolean().default(false) });

/** `POST /api/operator/crm/check`: the same, for an organisation named by the operator. */
export const operatorCrmCheckRequest = crmCheckRequest.extend({ organisationId: z.uuid() });

/** What an agent types to find a CRM record to link. */
export const crmSearchText = z.string().trim().min(2, 'type at least 2 characters').max(100);

/** `GET /api/conversations/:id/crm/search?q=`. */
export const crmSearchQuery = z.object({ q: crmSearchText });

/** A CRM record id as the server hands them out: the CRM's id, or (Zoho) `<module>/<id>`. */
export const crmRecordId = z
  .string()
  .trim()
  .regex(/^[0-9A-Za-z_-]{1,64}(?:\/[0-9A-Za-z_-]{1,64})?$/, 'a CRM record id');

/** `PUT /api/conversations/:id/crm`: link the customer to a record the agent found. */
export const crmLinkRequest = z.object({ recordId: crmRecordId });

/** `/api/conversations/:id/messages/:message/media/:index(/link)`: one file of a message. */
export const messageMediaParams = z.object({ message: z.uuid(), index: z.coerce.number().int().min(0).max(9) });

/** `POST /api/uploads`: the file's name and type travel in headers, its bytes as the body. */
export const uploadHeaders = z.object({
  'x-file-name': z.string().min(1).max(1024),
  'x-file-type': z.string().max(255).default(''),
});

// ─── Time zones (reports and routing) ─────────────────────────────────────────────────────────

/**
 * An IANA time zone the runtime knows (`Europe/Berlin`, `America/New_York`, `UTC`). Not an offset
 * such as `+01:00`: Intl takes it as UTC+1, but PostgreSQL reads it as a POSIX zone, UTC-1.
 */
export const timeZone = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z]/, 'must be an IANA time zone such as Europe/Berlin, not an offset')
  .refine(
    (tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'must be an IANA time zone such as Europe/Berlin' },
  );

// ─── Reports (issue 35, docs/reports.md) ──────────────────────────────────────────────────────

const reportBase = z.object({
  /** ISO time with offset; the period's start, included. */
  from: z.iso.datetime({ offset: true }),
  /** ISO time with offset; the period's end, excluded. */
  to: z.iso.datetime({ offset: true }),
  /** IANA time zone of the days and hours (per-day table, heat map, times in the answer). */
  timeZone,
  channel: z.uuid().optional(),
  agent: z.uuid().optional(),
  /** Conversations of the channels this team answers (docs/reports.md, "Filters"). */
  team: z.uuid().optional(),
});
const QUARTER_HOUR_MS = 15 * 60_000;
const checkPeriod = (q: { from: string; to: string }, ctx: z.RefinementCtx) => {
  const from = Date.parse(q.from);
  const to = Date.parse(q.to);
  if (!(from < to)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
  else if (to - from > REPORT_MAX_DAYS * 86_400_000) ctx.addIssue({ code: 'custom', path: ['to'], message: `a period is at most ${REPORT_MAX_DAYS} days` });
  for (const [key, t] of [['from', from] as const, ['to', to] as const])
    if (t % QUARTER_HOUR_MS !== 0)
      ctx.addIssue({ code: 'custom', path: [key], message: 'must fall on a quarter hour (messages are counted in 15-minute slots)' });
};
/** `GET /api/reports?from&to&timeZone[&channel][&agent][&team]` */
export const reportQuery = reportBase.superRefine(checkPeriod);
/** The tables of a report, each downloadable as CSV. */
export const reportTable = z.enum(REPORT_TABLES);
/** `GET /api/reports/csv?table&…` (the report's query) */
export const reportCsvQuery = reportBase.extend({ table: reportTable }).superRefine(checkPeriod);

// ---------------------------------------------------------------------------------------------
// Routing (issue 33, docs/routing.md): teams, policies, business hours, SLA, availability.
// ---------------------------------------------------------------------------------------------

const routingCapacity = z.number().int().min(1, 'capacity is at least 1').max(1000, 'capacity is at most 1000');

/** `POST /api/admin/teams`; `PATCH /api/admin/teams/:id` takes the same fields, each optional. */
export const teamRequest = z.object({
  name: z.string().trim().min(1, 'a team needs a name').max(100),
  assignment: z.enum(['off', 'round_robin', 'least_busy']).default('off'),
  defaultCapacity: routingCapacity.default(5),
  handBackAfterMinutes: z.number().int().min(1).max(10080).nullable().default(null),
});
export const teamPatchRequest = z
  .object({
    name: z.string().trim().min(1, 'a team needs a name').max(100),
    assignment: z.enum(['off', 'round_robin', 'least_busy']),
    defaultCapacity: routingCapacity,
    handBackAfterMinutes: z.number().int().min(1).max(10080).nullable(),
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' });

/** `PUT /api/admin/teams/:id/members/:agentId`: add the agent (or change their capacity; null: the team's default). */
export const teamMemberRequest = z.object({ capacity: routingCapacity.nullable().default(null) });

/** `PUT /api/admin/channels/:id/team`: the team that answers this channel (null: none). */
export const channelTeamRequest = z.object({ teamId: z.uuid().nullable() });

/** `PUT /api/admin/teams/:id/hours`: weekly hours (a shift past midnight is two intervals), holidays, auto-reply. */
export const businessHoursRequest = z.object({
  enabled: z.boolean(),
  timeZone: timeZone.default('UTC'),
  intervals: z
    .array(
      z
        .object({
          weekday: z.number().int().min(1).max(7),
          opensMinute: z.number().int().min(0).max(1439),
          closesMinute: z.number().int().min(1).max(1440),
        })
        .refine((i) => i.closesMinute > i.opensMinute, { message: 'an interval closes after it opens (split a shift past midnight in two)' }),
    )
    .max(70)
    .default([]),
  holidays: z
    .array(z.object({ day: z.iso.date(), name: z.string().max(100).default('') }))
    .max(366)
    .default([]),
  autoReply: z.string().trim().min(1).max(1024).nullable().default(null),
});

/** `PUT /api/admin/teams/:id/sla`: targets in business minutes (null: none of that kind). */
export const slaPolicyRequest = z
  .object({
    firstResponseMinutes: z.number().int().min(1).max(100000).nullable().default(null),
    nextResponseMinutes: z.number().int().min(1).max(100000).nullable().default(null),
    resolutionMinutes: z.number().int().min(1).max(1000000).nullable().default(null),
    warnBeforeMinutes: z.number().int().min(0).max(1440).default(5),
    notifyAdmins: z.boolean().default(false),
  })
  .refine((p) => p.firstResponseMinutes !== null || p.nextResponseMinutes !== null || p.resolutionMinutes !== null, {
    message: 'set at least one target (or delete the policy)',
  });

/** `PUT /api/routing/availability`: what the agent says of themselves. */
export const availabilityRequest = z.object({ availability: z.enum(['available', 'busy', 'away']) });
