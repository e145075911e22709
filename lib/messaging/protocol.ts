import { defineExtensionMessaging } from '@webext-core/messaging';
import { z } from 'zod';
import type { AgentProfile } from '../contract/models';
import type { BadgeInfo } from '../crm/badges';

/**
 * The one protocol between extension contexts. Requests go from a UI (options page, side panel)
 * to the background and get a `Result`; the background validates every payload against
 * `requestSchemas` and checks the sender before a handler runs. Background → UI state flows
 * through storage items (`lib/inbox/store.ts`, `lib/connection/status.ts`), which UIs watch.
 */
export type Result<T> = { data: T } | { error: string };

const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'not an E.164 phone number');
/** An origin the agent may enable the overlay on: http(s), no path. */
const siteOrigin = z
  .string()
  .transform((value, ctx) => {
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
  'inbox:openConversation': z.object({ conversationId: z.uuid() }),
  'connection:reconnect': z.undefined(),
  'composer:typing': z.object({ conversationId: z.uuid(), typing: z.boolean() }),
  'composer:send': z.object({ conversationId: z.uuid(), body: z.string().trim().min(1).max(4096) }),
  'sites:enable': z.object({ origin: siteOrigin }),
  'sites:disable': z.object({ origin: siteOrigin }),
  'crm:open': z.object({ phone: e164 }),
} as const;

/** Requests a content script on a CRM page may make; every other request is for extension pages only. */
export const CONTENT_SCRIPT_REQUESTS: ReadonlySet<keyof typeof requestSchemas> = new Set(['crm:open']);

type Req<K extends keyof typeof requestSchemas> = z.infer<(typeof requestSchemas)[K]>;

export interface ProtocolMap {
  'auth:signIn'(data: Req<'auth:signIn'>): Result<AgentProfile>;
  'auth:signOut'(): Result<null>;
  'inbox:openConversation'(data: Req<'inbox:openConversation'>): Result<null>;
  'connection:reconnect'(): Result<null>;
  'composer:typing'(data: Req<'composer:typing'>): Result<null>;
  'composer:send'(data: Req<'composer:send'>): Result<null>;
  /** Enables the overlay on a site whose permission the calling page has just obtained. */
  'sites:enable'(data: Req<'sites:enable'>): Result<null>;
  'sites:disable'(data: Req<'sites:disable'>): Result<null>;
  /** A badge was clicked: open the side panel on that number's conversation (started if needed). */
  'crm:open'(data: Req<'crm:open'>): Result<{ conversationId: string }>;
}

/**
 * Badges on CRM pages stay live through one long-lived port per page: the content script says
 * which numbers the page shows, the background answers with their badges and pushes changes.
 * The content script opens no connection of its own.
 */
export const CRM_PORT = 'switchboard-crm';
export const crmPortRequest = z.object({ type: z.literal('watch'), phones: z.array(e164).max(5000) });
export type CrmPortRequest = z.infer<typeof crmPortRequest>;
export type CrmPortNotice =
  | { type: 'badges'; signedIn: boolean; badges: Record<string, BadgeInfo> }
  /** The agent turned the overlay off for this site: remove every badge and stop. */
  | { type: 'disable' };

export const { sendMessage, onMessage } = defineExtensionMessaging<ProtocolMap>({ logger: undefined });
