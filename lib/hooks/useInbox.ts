import { useEffect, useState } from 'react';
import { applyPatch, type InboxState } from '../inbox/state';
import { storedInbox } from '../inbox/store';
import { holdPort, type PortHold } from '../messaging/hold-port';
import { PANEL_PORT, type PanelNotice, type PanelRequest } from '../messaging/protocol';

/** The panel's port while it is held, and the rows it last said it shows (said again to a new worker). */
const panel: { hold: PortHold<PanelRequest> | null; rowsShown: string[] | null; timer: ReturnType<typeof setTimeout> | null; sent: string[] | null } = {
  hold: null,
  rowsShown: null,
  timer: null,
  sent: null,
};
/**
 * How often the panel says which rows it shows, at most. A busy inbox moves a new row onto the
 * screen with nearly every message, and each report costs a port message both sides: the first
 * change goes at once, the ones after it together, the latest last.
 */
const ROWS_SHOWN_MS = 500;

/** Tells the background which conversations the list shows (their typing and viewing are wanted). */
export function reportRowsShown(conversationIds: string[]): void {
  panel.rowsShown = conversationIds;
  if (panel.timer) return;
  panel.sent = conversationIds;
  panel.hold?.post({ type: 'visible', conversationIds });
  panel.timer = setTimeout(() => {
    panel.timer = null;
    if (panel.rowsShown && panel.rowsShown !== panel.sent) reportRowsShown(panel.rowsShown);
  }, ROWS_SHOWN_MS);
}

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
    const hold = holdPort<PanelNotice, PanelRequest>(PANEL_PORT, {
      message: (notice) => {
        if (notice.type === 'snapshot') current = notice.state;
        else if (current) current = applyPatch(current, notice.patch);
        else return;
        // React batches what arrives while it renders. (No requestAnimationFrame: it stops in a
        // hidden page.)
        setInbox(current);
      },
      drop: () => void (current = null),
      connect: (post) => panel.rowsShown && post({ type: 'visible', conversationIds: panel.rowsShown }),
    });
    panel.hold = hold;
    return () => {
      live = false;
      if (panel.hold === hold) panel.hold = null;
      hold();
    };
  }, []);
  return inbox;
}
