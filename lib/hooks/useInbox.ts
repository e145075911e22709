import { useSyncExternalStore } from 'react';
import { applyPatch, type InboxState } from '../inbox/state';
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
 * The page's copy of the inbox, shared by every component that shows part of it (one port per page).
 * `complete`: false while it is only the first screen (`firstScreen`), until the whole state comes.
 */
const inbox: { state: InboxState | undefined; complete: boolean; listeners: Set<() => void>; stop: (() => void) | null } = {
  state: undefined,
  complete: false,
  listeners: new Set(),
  stop: null,
};

const publish = (state: InboxState, complete: boolean) => {
  inbox.state = state;
  inbox.complete = complete;
  for (const listener of [...inbox.listeners]) listener();
};

/**
 * The background's inbox over a port, from its memory (the cache, before any network answer): the
 * first screen, then the whole state and its patches. The page reads no storage for it: three
 * reads of thousands of conversations (WXT reads a versioned item again for its migrations) held
 * up every other read of the page for hundreds of milliseconds (docs/delivery-scope.md, "First
 * paint"). If the port drops (the worker stopped), the page reconnects, which wakes the worker
 * (it reads the stored inbox then). Returns how to let go.
 */
function follow(): () => void {
  let current: InboxState | null = null;
  const hold = holdPort<PanelNotice, PanelRequest>(PANEL_PORT, {
    message: (notice) => {
      // The first screen only until the page has the whole inbox (a new worker's would shrink it).
      if (notice.type === 'firstScreen') return void (inbox.complete || publish(notice.state, false));
      if (notice.type === 'snapshot') current = notice.state;
      else if (current) current = applyPatch(current, notice.patch);
      else return;
      // React batches what arrives while it renders. (No requestAnimationFrame: it stops in a
      // hidden page.)
      publish(current, true);
    },
    drop: () => void (current = null),
    connect: (post) => panel.rowsShown && post({ type: 'visible', conversationIds: panel.rowsShown }),
  });
  panel.hold = hold;
  return () => {
    if (panel.hold === hold) panel.hold = null;
    hold();
  };
}

/** Opens the page's port now, before any component asks: the worker's answer travels while React starts. */
export function followInbox(): void {
  inbox.stop ??= follow();
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

/** Whether the page has the whole inbox, not only its first screen (counts and threads wait for it). */
export function useInboxComplete(): boolean {
  return useSyncExternalStore(subscribe, () => inbox.complete);
}

/** The inbox as the page has it now: for a handler (a key press), not for rendering. */
export const inboxNow = (): InboxState | undefined => inbox.state;
