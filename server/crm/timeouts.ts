/**
 * How long a CRM may take to answer one call, and the pieces that hold each client to it
 * (docs/crm.md, "Timeouts"). A CRM that accepts a connection and never answers (or sends the
 * headers and never the body) fails the call after this long, as a retryable `CrmCallError`: the
 * outbox retries it with its backoff, an agent is told the CRM did not answer.
 */
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { CrmCallError } from './types';

/** The longest one CRM call may take: an API call (`callMs`), an OAuth token request (`tokenMs`). */
export interface CrmTimeouts {
  callMs: number;
  tokenMs: number;
}

/**
 * The defaults (`CRM_CALL_TIMEOUT_MS`, `CRM_TOKEN_TIMEOUT_MS`). Every vendor answers its API calls
 * in well under a second, and searches in a few; a token exchange takes a little longer (the
 * vendors' identity servers are slower and a connection's first call waits on it). Both stay far
 * inside the outbox's claim (60 s), so a hung CRM releases its row long before the lease lapses.
 */
export const CRM_TIMEOUTS: CrmTimeouts = { callMs: 10_000, tokenMs: 15_000 };

/** An app's timeouts (the configured ones; the defaults when the app was built without them). */
export const timeoutsOf = (app: { timeouts?: CrmTimeouts }): CrmTimeouts => app.timeouts ?? CRM_TIMEOUTS;

/** The error of a call the CRM did not answer in time: retryable, and it may have been done (a create may exist). */
export const noAnswer = (who: string, ms: number) => new CrmCallError(`${who} did not answer within ${ms / 1000} s`, { retryable: true });

/**
 * `fetch` whose whole exchange (the answer's headers and its body, read here as text) must end
 * within `ms`: a CRM that never answers, or never finishes its body, fails as `noAnswer`. Any other
 * failure to reach it is retryable too ("did not answer: …").
 */
export async function fetchWithin(who: string, ms: number, url: string | URL, init: RequestInit): Promise<{ res: Response; text: string }> {
  const signal = AbortSignal.timeout(ms);
  try {
    const res = await fetch(url, { ...init, signal });
    return { res, text: await res.text() };
  } catch (err) {
    if (signal.aborted) throw noAnswer(who, ms);
    throw new CrmCallError(`${who} did not answer: ${(err as Error).message}`, { retryable: true });
  }
}

/** JSON of a body read by `fetchWithin`, or null when it is none. */
export const jsonOf = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
};

/**
 * An HTTP agent for `url`'s protocol whose sockets are destroyed after `ms` without a byte either
 * way: a request waiting on a CRM that never answers (or stops mid-body) then fails with an error,
 * instead of holding the call for ever. For clients whose only transport option is an agent
 * (`@hubspot/api-client`'s `httpAgent`).
 */
export function idleLimitedAgent(url: string, ms: number): http.Agent {
  const Base = new URL(url).protocol === 'https:' ? https.Agent : http.Agent;
  class IdleLimited extends Base {
    override createConnection(...args: Parameters<http.Agent['createConnection']>): Duplex | null | undefined {
      const socket = super.createConnection(...args) as (Duplex & { setTimeout(ms: number, cb: () => void): void }) | null | undefined;
      socket?.setTimeout(ms, () => socket.destroy(new Error(`no answer within ${ms / 1000} s`)));
      return socket;
    }
  }
  // No keep-alive: a pooled socket gets the agent's own timeout back when it is freed, which
  // would drop ours; one socket per call keeps every call under the limit.
  return new IdleLimited({ keepAlive: false });
}
