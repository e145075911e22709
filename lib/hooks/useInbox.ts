import { useEffect, useState } from 'react';
import { applyPatch, type InboxState } from '../inbox/state';
import { storedInbox } from '../inbox/store';
import { holdPort } from '../messaging/hold-port';
import { PANEL_PORT, type PanelNotice } from '../messaging/protocol';

/**
 * The inbox for a UI: first painted from storage (the cache, before any network answer), then
 * replaced by the background's current state and kept current by its patches over a port. If the
 * port drops (the worker stopped), the UI reconnects, which wakes the worker.
 */
export function useInbox(): InboxState | undefined {
  const [inbox, setInbox] = useState<InboxState | undefined>(undefined);
  useEffect(() => {
    let live = true;
    let current: InboxState | null = null;
    void storedInbox().then((stored) => {
      if (live && !current) setInbox(stored);
    });
    const release = holdPort<PanelNotice>(PANEL_PORT, {
      message: (notice) => {
        if (notice.type === 'snapshot') current = notice.state;
        else if (current) current = applyPatch(current, notice.patch);
        else return;
        // React batches what arrives while it renders. (No requestAnimationFrame: it stops in a
        // hidden page.)
        setInbox(current);
      },
      drop: () => void (current = null),
    });
    return () => {
      live = false;
      release();
    };
  }, []);
  return inbox;
}
