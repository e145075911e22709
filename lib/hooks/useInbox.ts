import { useSyncExternalStore } from 'react';
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

/** The page's copy of the inbox, shared by every component that shows part of it (one port per page). */
const inbox: { state: InboxState | undefined; listeners: Set<() => void>; stop: (() => void) | null } = {
  state: undefined,
  listeners: new Set(),
  stop: null,
};

const publish = (state: InboxState) => {
  inbox.state = state;
  for (const listener of [...inbox.listeners]) listener();
};

/**
 * First the stored inbox (the cache, before any network answer), then the background's current
 * state and its patches over a port. If the port drops (the worker stopped), the page reconnects,
 * which wakes the worker. Returns how to let go.
 */
function follow(): () => void {
  let live = true;
  let current: InboxState | null = null;
  void storedInbox().then((stored) => {
    if (live && !current) publish(stored);
  });
  const hold = holdPort<PanelNotice, PanelRequest>(PANEL_PORT, {
    message: (notice) => {
      if (notice.type === 'snapshot') current = notice.state;
      else if (current) current = applyPatch(current, notice.patch);
      else return;
      // React batches what arrives while it renders. (No requestAnimationFrame: it stops in a
      // hidden page.)
      publish(current);
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
}

function subscribe(listener: () => void): () => void {
  inbox.listeners.add(listener);
  inbox.stop ??= follow();
  return () => {
    inbox.listeners.delete(listener);
    // The port goes when nothing on the page shows the inbox any more (after React's commit: a
    // component that subscribes again in the same commit keeps it).
    queueMicrotask(() => {
      if (inbox.listeners.size > 0 || !inbox.stop) return;
      inbox.stop();
      inbox.stop = null;
    });
  };
}

/**
 * A part of the inbox for a UI, kept current: `pick` returns a part of the state (the reducers keep
 * unchanged parts' identity) or a plain value computed from it, and the component renders again
 * only when that changes. So a message to another conversation does not render an open thread,
 * and the list subscribes to the conversations only while it is on screen. `undefined` until the
 * cache is read.
 */
export function useInbox<T>(pick: (state: InboxState | undefined) => T): T {
  return useSyncExternalStore(subscribe, () => pick(inbox.state));
}

/** The inbox as the page has it now: for a handler (a key press), not for rendering. */
export const inboxNow = (): InboxState | undefined => inbox.state;
