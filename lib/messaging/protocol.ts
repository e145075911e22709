import { defineExtensionMessaging } from '@webext-core/messaging';
import { z } from 'zod';
import type { AgentProfile } from '../contract/models';

/**
 * The one protocol between extension contexts. Requests go from a UI (options page, side panel)
 * to the background and get a `Result`; the background validates every payload against
 * `requestSchemas` and checks the sender before a handler runs. Background → UI state flows
 * through storage items (`lib/inbox/store.ts`, `lib/connection/status.ts`), which UIs watch.
 */
export type Result<T> = { data: T } | { error: string };

export const requestSchemas = {
  'auth:signIn': z.object({ email: z.string().trim().min(3).max(320), password: z.string().min(1).max(1000) }),
  'auth:signOut': z.undefined(),
  'inbox:openConversation': z.object({ conversationId: z.uuid() }),
  'connection:reconnect': z.undefined(),
  'composer:typing': z.object({ conversationId: z.uuid(), typing: z.boolean() }),
  'composer:send': z.object({ conversationId: z.uuid(), body: z.string().trim().min(1).max(4096) }),
} as const;

type Req<K extends keyof typeof requestSchemas> = z.infer<(typeof requestSchemas)[K]>;

export interface ProtocolMap {
  'auth:signIn'(data: Req<'auth:signIn'>): Result<AgentProfile>;
  'auth:signOut'(): Result<null>;
  'inbox:openConversation'(data: Req<'inbox:openConversation'>): Result<null>;
  'connection:reconnect'(): Result<null>;
  'composer:typing'(data: Req<'composer:typing'>): Result<null>;
  'composer:send'(data: Req<'composer:send'>): Result<null>;
}

export const { sendMessage, onMessage } = defineExtensionMessaging<ProtocolMap>({ logger: undefined });
