import { useEffect, useRef } from 'react';

/** What the side panel's keys act on. */
export interface InboxKeys {
  /** The conversation on screen, if any. */
  openId: string | null;
  /** "/" or Ctrl+K: to the search box. */
  search(): void;
  /** Alt+↑/↓: the previous or next conversation of the list. */
  step(by: 1 | -1): void;
  /** Escape in a thread: back to the list. */
  back(): void;
  /** R in a thread: to the reply box. */
  reply(): void;
  /** E in a thread: resolve (or reopen a resolved one). */
  resolve(): void;
  /** Z in a thread: the snooze choices. */
  snooze(): void;
  /** U in a thread: mark unread. */
  unread(): void;
  /** Ctrl+Z outside text fields: take back the last resolve, snooze or mark unread (while its Undo shows). */
  undo?(): void;
}

/** Single keys acting on the open thread (outside text fields). */
const THREAD_KEYS: Record<string, 'reply' | 'resolve' | 'snooze' | 'unread' | undefined> = { r: 'reply', e: 'resolve', z: 'snooze', u: 'unread' };

/**
 * The side panel's keyboard map: "/" or Ctrl+K search, Alt+↑/↓ previous/next conversation,
 * Escape back to the list, R reply, E resolve or reopen, Z snooze, U mark unread, Ctrl+Z undo. One document listener, removed on unmount; it always acts
 * on the latest state.
 */
export function useInboxKeyboard(keys: InboxKeys): void {
  const latest = useRef(keys);
  latest.current = keys;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const k = latest.current;
      const t = e.target as HTMLElement | null;
      // Keys in a dialog (the photo viewer) are its own: Escape closes it, not the thread.
      if (t?.closest?.('dialog[open]')) return;
      const inField = !!t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));
      if ((e.key === 'k' && (e.ctrlKey || e.metaKey)) || (e.key === '/' && !inField)) {
        e.preventDefault();
        k.search();
      } else if (e.key.toLowerCase() === 'z' && (e.ctrlKey || e.metaKey) && !e.shiftKey && !inField && k.undo) {
        e.preventDefault();
        k.undo();
      } else if (e.altKey && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
        e.preventDefault();
        k.step(e.key === 'ArrowDown' ? 1 : -1);
      } else if (e.key === 'Escape' && k.openId) {
        e.preventDefault();
        k.back();
      } else if (!inField && !e.ctrlKey && !e.metaKey && !e.altKey && k.openId && THREAD_KEYS[e.key.toLowerCase()]) {
        e.preventDefault();
        k[THREAD_KEYS[e.key.toLowerCase()]!]();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}
