import { useEffect } from 'react';
import { holdPort } from '../messaging/hold-port';
import { WHOLE_INBOX_PORT } from '../messaging/protocol';

/**
 * While `active` (the list shows more than the agent's scope: `showsBeyondScope` in
 * lib/inbox/list-filter.ts) the page holds `WHOLE_INBOX_PORT`, and the background receives the
 * organisation's whole stream (docs/delivery-scope.md). The port goes with the view or the page
 * (closed or killed), so the background returns to the agent's scope whether or not this cleanup runs.
 */
export function useWholeInbox(active: boolean): void {
  useEffect(() => {
    if (!active) return;
    // The background sends nothing on this port: holding it is the whole message.
    return holdPort<never>(WHOLE_INBOX_PORT, { message: () => {} });
  }, [active]);
}
