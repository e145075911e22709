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
}

/**
 * The side panel's keyboard map: "/" or Ctrl+K search, Alt+↑/↓ previous/next conversation,
 * Escape back to the list, R reply. One document listener, removed on unmount; it always acts
 * on the latest state.
 */
export function useInboxKeyboard(keys: InboxKeys): void {
  const latest = useRef(keys);
  latest.current = keys;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const k = latest.current;
      const t = e.target as HTMLElement | null;
      const inField = !!t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));
      if ((e.key === 'k' && (e.ctrlKey || e.metaKey)) || (e.key === '/' && !inField)) {
        e.preventDefault();
        k.search();
      } else if (e.altKey && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
        e.preventDefault();
        k.step(e.key === 'ArrowDown' ? 1 : -1);
      } else if (e.key === 'Escape' && k.openId) {
        e.preventDefault();
        k.back();
      } else if ((e.key === 'r' || e.key === 'R') && !inField && !e.ctrlKey && !e.metaKey && !e.altKey && k.openId) {
        e.preventDefault();
        k.reply();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}
