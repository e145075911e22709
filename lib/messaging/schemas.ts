import { z } from 'zod';
import { OVERLAY_WATCH_MAX, PANEL_VISIBLE_MAX } from './limits';
import { SEARCH_MIN_CHARS } from '../contract/api';
import {
  availabilityRequest,
  businessHoursRequest,
  cannedReplyRequest,
  channelTeamRequest,
  createChannelRequest,
  crmCheckRequest,
  crmConnectRequest,
  crmLogModeRequest,
  crmRecordId,
  crmSearchText,
  e164,
  inviteRequest,
  noteShape,
  replyContentShape,
  replyRules,
  reportCsvQuery,
  reportQuery,
  roleRequest,
  slaPolicyRequest,
  teamMemberRequest,
  teamPatchRequest,
  teamRequest,
  uploadView,
} from '../contract/schemas';

/**
 * Validation of every request and port message the background receives (the types in
 * `./protocol.ts` are inferred from these). What goes on to the server is checked with the
 * server's own schemas (`lib/contract/schemas.ts`), so the extension accepts exactly what the
 * server will. Only the background imports this file.
 */
/** An origin the agent may enable the overlay on: http(s), no path. */
const siteOrigin = z.string().transform((value, ctx) => {
  try {
    const url = new URL(value);
    if (/^https?:$/.test(url.protocol)) return url.origin;
  } catch {
    /* reported below */
  }
  ctx.addIssue({ code: 'custom', message: 'a site is an http(s) origin such as https://crm.example.com' });
  return z.NEVER;
});

export const requestSchemas = {
  'auth:signIn': z.object({ email: z.string().trim().min(3).max(320), password: z.string().min(1).max(1000) }),
  'auth:signOut': z.undefined(),
  'settings:connect': z.object({ workspaceUrl: z.string().trim().min(1, 'enter your workspace URL').max(2048) }),
  'inbox:openConversation': z.object({ conversationId: z.uuid() }),
  'inbox:openPhone': z.object({ phone: e164 }),
  'connection:reconnect': z.undefined(),
  'composer:typing': z.object({ conversationId: z.uuid(), typing: z.boolean() }),
  'composer:send': z
    .object({
      conversationId: z.uuid(),
      body: replyContentShape.body,
      mediaUrl: replyContentShape.mediaUrl,
      template: replyContentShape.template,
      upload: uploadView.optional(),
    })
    .superRefine((r, ctx) => replyRules({ ...r, uploadId: r.upload?.id }, ctx)),
  /** Where the side panel may upload one file. */
  'composer:uploadTicket': z.undefined(),
  'composer:note': z.object({ conversationId: z.uuid(), ...noteShape }),
  'inbox:assign': z.object({ conversationId: z.uuid(), assigneeId: z.uuid().nullable() }),
  'inbox:setStatus': z
    .object({
      conversationIds: z.array(z.uuid()).min(1).max(100),
      status: z.enum(['open', 'snoozed', 'resolved']),
      snoozedUntil: z.iso.datetime({ offset: true }).nullable(),
    })
    .refine((r) => (r.status === 'snoozed') === (r.snoozedUntil !== null), 'a snooze, and only a snooze, has an end time'),
  'inbox:markUnread': z.object({ conversationId: z.uuid(), fromMessageId: z.uuid().nullable() }),
  'inbox:search': z.object({ query: z.string().trim().min(SEARCH_MIN_CHARS).max(200) }),
  'inbox:older': z.object({ conversationId: z.uuid(), before: z.iso.datetime({ offset: true }) }),
  'composer:retry': z.object({ conversationId: z.uuid(), messageId: z.uuid() }),
  'composer:templates': z.object({ conversationId: z.uuid() }),
  'media:get': z.object({ conversationId: z.uuid(), messageId: z.uuid(), index: z.number().int().min(0).max(9) }),
  'media:link': z.object({ conversationId: z.uuid(), messageId: z.uuid(), index: z.number().int().min(0).max(9) }),
  'admin:refresh': z.undefined(),
  'admin:invite': inviteRequest,
  'admin:revokeInvite': z.object({ inviteId: z.uuid() }),
  'admin:setRole': z.object({ agentId: z.uuid(), role: roleRequest.shape.role }),
  'admin:removeAgent': z.object({ agentId: z.uuid() }),
  'admin:saveCannedReply': cannedReplyRequest,
  'admin:deleteCannedReply': z.object({ id: z.uuid() }),
  'admin:createChannel': createChannelRequest,
  'admin:connectCrm': crmConnectRequest,
  'admin:disconnectCrm': z.undefined(),
  'admin:checkCrm': crmCheckRequest,
  'admin:setCrmLogMode': crmLogModeRequest,
  'reports:get': reportQuery,
  'reports:csv': reportCsvQuery,
  'reports:channels': z.undefined(),
  'routing:refresh': z.undefined(),
  'routing:setAvailability': availabilityRequest,
  'admin:createTeam': teamRequest,
  'admin:updateTeam': z.object({ teamId: z.uuid(), patch: teamPatchRequest }),
  'admin:deleteTeam': z.object({ teamId: z.uuid() }),
  'admin:setTeamMember': teamMemberRequest.extend({ teamId: z.uuid(), agentId: z.uuid() }),
  'admin:removeTeamMember': z.object({ teamId: z.uuid(), agentId: z.uuid() }),
  'admin:setChannelTeam': channelTeamRequest.extend({ channelId: z.uuid() }),
  'admin:setTeamHours': z.object({ teamId: z.uuid(), hours: businessHoursRequest }),
  'admin:setTeamSla': z.object({ teamId: z.uuid(), sla: slaPolicyRequest.nullable() }),
  'crm:record': z.object({ conversationId: z.uuid() }),
  'crm:search': z.object({ conversationId: z.uuid(), query: crmSearchText }),
  'crm:link': z.object({ conversationId: z.uuid(), recordId: crmRecordId }),
  'crm:createContact': z.object({ conversationId: z.uuid() }),
  'sites:enable': z.object({ origin: siteOrigin }),
  'sites:disable': z.object({ origin: siteOrigin }),
  'overlay:open': z.object({ phone: e164 }),
} as const;

/** Requests a content script on a CRM page may make; every other request is for extension pages only. */
export const CONTENT_SCRIPT_REQUESTS: ReadonlySet<keyof typeof requestSchemas> = new Set(['overlay:open']);

/** What a CRM page may send over its port: the numbers it shows. */
export const panelPortRequest = z.object({ type: z.literal('visible'), conversationIds: z.array(z.uuid()).max(PANEL_VISIBLE_MAX) });
export const overlayPortRequest = z.object({ type: z.literal('watch'), phones: z.array(e164).max(OVERLAY_WATCH_MAX) });
