import { useCallback, useEffect, useRef, useState } from 'react';
import { stillAtBottom } from '../inbox/view';

/**
 * Keeps a scrolled thread on its newest message while the agent is there (the whole last bubble
 * in view), including when a message arrives or a bubble is measured taller after it was placed
 * (react-virtuoso's `followOutput` scrolls by the estimated height and stops a few pixels short,
 * so it is not used: the list's height changes are followed here).
 * Scrolling up lets go; reaching the bottom again holds on.
 */
export function useFollowBottom(initiallyAtBottom: boolean) {
  const scroller = useRef<HTMLElement | null>(null);
  const state = useRef({ pinned: initiallyAtBottom, top: 0 });
  const [pinned, setPinned] = useState(initiallyAtBottom);

  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    const s = state.current;
    s.pinned = stillAtBottom(s.pinned, s.top, el.scrollTop, el.scrollHeight, el.clientHeight);
    s.top = el.scrollTop;
    setPinned(s.pinned);
    // Held, yet short of the bottom (the list moved itself by an estimate): to the bottom.
    if (s.pinned && el.scrollHeight - el.scrollTop - el.clientHeight > 1) el.scrollTop = el.scrollHeight;
  }, []);
  const setScroller = useCallback(
    (el: HTMLElement | Window | null) => {
      scroller.current?.removeEventListener('scroll', onScroll);
      scroller.current = el instanceof HTMLElement ? el : null;
      scroller.current?.addEventListener('scroll', onScroll, { passive: true });
    },
    [onScroll],
  );
  useEffect(() => () => scroller.current?.removeEventListener('scroll', onScroll), [onScroll]);

  /** To the newest message, and stay there. */
  const toBottom = useCallback(() => {
    state.current.pinned = true;
    setPinned(true);
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, []);
  /** The content changed height: a view held at the bottom follows it. */
  const onHeightChange = useCallback(() => {
    const el = scroller.current;
    if (el && state.current.pinned) el.scrollTop = el.scrollHeight;
  }, []);
  /** Let go of the bottom (the view is about to be taken elsewhere, e.g. to a quoted message). */
  const release = useCallback(() => {
    state.current.pinned = false;
    setPinned(false);
  }, []);

  /**
   * The index (react-virtuoso's `data-item-index`) of the first message at least partly in view,
   * read from the page as it is now; null while held at the bottom (the bottom is what is kept
   * then). A message, not a day's heading: a heading moves above older messages of its day.
   */
  const topInView = useCallback((): number | null => {
    const el = scroller.current;
    if (!el || state.current.pinned) return null;
    const top = el.getBoundingClientRect().top;
    for (const item of el.querySelectorAll<HTMLElement>('[data-item-index][data-message-id]')) {
      if (item.getBoundingClientRect().bottom > top + 1) return Number(item.dataset.itemIndex);
    }
    return null;
  }, []);

  return { pinned, setScroller, toBottom, onHeightChange, release, topInView };
}
