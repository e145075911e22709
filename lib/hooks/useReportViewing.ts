import { useEffect } from 'react';
import { viewingItem } from '../storage/items';

/** Tells the background which conversation is on screen, so it does not notify about it. */
export function useReportViewing(conversationId: string | null): void {
  useEffect(() => {
    const report = () => void viewingItem.setValue({ conversationId, visible: document.visibilityState === 'visible' });
    report();
    document.addEventListener('visibilitychange', report);
    window.addEventListener('pagehide', () => void viewingItem.setValue({ conversationId: null, visible: false }));
    return () => document.removeEventListener('visibilitychange', report);
  }, [conversationId]);
}
