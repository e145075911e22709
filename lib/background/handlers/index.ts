import { browser, type Browser } from 'wxt/browser';
import { onMessage, type Responses, type Result, type Requests } from '../../messaging/protocol';
import { CONTENT_SCRIPT_REQUESTS, requestSchemas } from '../../messaging/schemas';
import { Failure } from '../../messaging/failures';
import type { BackgroundController } from '../controller';
import { adminHandlers } from './admin';
import { composerHandlers } from './composer';
import { conversationStatusHandlers } from './conversation-status';
import { crmRecordHandlers } from './crm-record';
import { inboxHandlers } from './inbox';
import { overlayHandlers } from './overlay';
import { reportsHandlers } from './reports';
import { routingHandlers } from './routing';
import { sessionHandlers } from './session';
import type { Handlers } from './types';

/** What the request handlers are given by the worker's wiring. */
export interface RequestDeps {
  /** The connections of the moment (waits for a rebuild in progress). */
  current: () => Promise<BackgroundController>;
  /** Rebuilds the connections if the workspace changed. */
  rebuild: () => Promise<unknown>;
  /** The CRM pages' ports (a site turned off loses its badges at once). */
  pages: { disableOrigin(origin: string): void };
  openSidePanel: (windowId?: number) => Promise<unknown>;
}

/**
 * Answers every request of the protocol (`lib/messaging/protocol.ts`), one handler module per
 * feature. Only the extension's own pages may call them, or for the few requests made for CRM
 * pages, this extension's content scripts in a tab; the payload is validated before the handler
 * runs, and failures come back as `{ error }`.
 */
export function serveRequests({ current, rebuild, pages, openSidePanel }: RequestDeps): void {
  const handlers: Handlers = {
    ...sessionHandlers(current, rebuild),
    ...inboxHandlers(current),
    ...conversationStatusHandlers(current),
    ...composerHandlers(current),
    ...adminHandlers(current),
    ...routingHandlers(current),
    ...crmRecordHandlers(current),
    ...reportsHandlers(current),
    ...overlayHandlers(current, pages, openSidePanel),
  };
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
      return { error: (err as Error).message || 'unexpected error', ...(err instanceof Failure ? { reason: err.reason } : {}) };
    }
  };
  // webext-core types a listener's answer per message type; for a generic K it cannot see that
  // `Result<Responses[K]>` is that type, which ProtocolMap's definition guarantees.
  onMessage(type, ({ sender, data }) => answer(sender, data) as ReturnType<Parameters<typeof onMessage<K>>[1]>);
}
