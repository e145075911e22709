/** Salesforce's errors (jsforce's) as ours, and its calls' time limit, for the adapter and the OAuth calls alike. */
import type { HttpRequest, HttpRequestOptions } from 'jsforce';
import { Transport } from 'jsforce/lib/transport.js';
import { StreamPromise } from 'jsforce/lib/util/promise.js';
import { CrmCallError } from './types';

/**
 * jsforce's transport with a limit on each call: jsforce's own `timeout` option (which aborts the
 * request) until the answer's headers, and the same limit on the whole exchange, body included,
 * after which the call fails as "did not answer" (retryable). jsforce takes the option only from
 * its transport: a `Connection` or `OAuth2` is given one of these (`withTimeout`).
 */
class TimeLimitedTransport extends Transport {
  constructor(private readonly ms: number) {
    super();
  }
  override httpRequest(req: HttpRequest, options: HttpRequestOptions = {}) {
    const inner = super.httpRequest(req, { ...options, timeout: this.ms });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`no answer within ${this.ms / 1000} s`));
        // Stops reading an answer that never ends (jsforce's own timeout stopped at its headers).
        inner.stream().destroy();
      }, this.ms);
    });
    const answer = Promise.race([inner, deadline])
      .catch((err: unknown) => {
        // jsforce's own abort at its timeout says "10 minutes" whatever the timeout was.
        throw (err as Error).name === 'AbortError' ? new Error(`no answer within ${this.ms / 1000} s`) : err;
      })
      .finally(() => clearTimeout(timer));
    return StreamPromise.create(() => ({ stream: inner.stream(), promise: answer }));
  }
}

/** `conn` (a jsforce `Connection` or `OAuth2`), its calls limited to `ms` each. */
export function withTimeout<T extends { _transport: Transport }>(conn: T, ms: number): T {
  conn._transport = new TimeLimitedTransport(ms);
  return conn;
}

/**
 * jsforce's errors as ours. Salesforce's limits: REQUEST_LIMIT_EXCEEDED is the org's API requests
 * over 24 hours (a rolling window: we look again in an hour), or, for "concurrent" requests, a
 * burst; INVALID_SESSION_ID means a new token.
 */
export async function salesforceCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof CrmCallError) throw err;
    const e = err as { errorCode?: string; message?: string; name?: string };
    // The token endpoint's refusal of a refresh token: the app was uninstalled or its access
    // revoked, or the token expired by the connected app's policy. Only the admin can fix that.
    if (e.name === 'invalid_grant')
      throw new CrmCallError(`Salesforce refused the refresh token (${e.message ?? 'invalid_grant'}): connect Salesforce again`, {
        status: 400,
        retryable: false,
        setup: 'Connect Salesforce again (the Salesforce app’s access was revoked or expired); nothing waiting is lost.',
      });
    const code = e.errorCode ?? '';
    if (!code || /^E[A-Z]+$/.test(code) || /^ERROR_HTTP_5\d\d$/.test(code) || code === 'SERVER_UNAVAILABLE') {
      throw new CrmCallError(`Salesforce did not answer: ${e.message ?? String(err)}`, { retryable: true });
    }
    if (code === 'REQUEST_LIMIT_EXCEEDED') {
      const burst = /concurren/i.test(e.message ?? '');
      throw new CrmCallError(burst ? `Salesforce: ${e.message}` : 'Salesforce: the org’s daily API request limit is reached', {
        status: 403,
        retryable: true,
        retryAfterMs: burst ? 5_000 + Math.random() * 5_000 : 3_600_000 + Math.random() * 60_000,
        limit: burst ? 'burst' : 'daily',
      });
    }
    const status = code === 'INVALID_SESSION_ID' ? 401 : code === 'NOT_FOUND' || code === 'ENTITY_IS_DELETED' ? 404 : 400;
    throw new CrmCallError(`Salesforce: ${code}: ${e.message ?? code}`, { status, retryable: false, unauthorised: status === 401 });
  }
}
