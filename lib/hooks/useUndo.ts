import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { runUndo, UNDO_MS, type Undoable } from '../inbox/undo';
import { sendMessage } from '../messaging/protocol';

/**
 * The Undo offered after resolve, snooze, bulk resolve and mark unread: one at a time (a newer
 * one replaces it), for `UNDO_MS`, paused while the agent points at or focuses it.
 */
export function useUndo() {
  const [offer, setOffer] = useState<(Undoable & { key: number }) | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [held, setHeld] = useState(false);
  const key = useRef(0);
  const { t } = useTranslation('inbox');
  useEffect(() => {
    if (!offer || held) return;
    const t = setTimeout(() => setOffer(null), UNDO_MS);
    return () => clearTimeout(t);
  }, [offer, held]);
  const offerUndo = useCallback((u: Undoable) => {
    setFailed(null);
    setOffer({ ...u, key: ++key.current });
  }, []);
  const undo = useCallback(async () => {
    if (!offer) return;
    setOffer(null);
    setHeld(false);
    setFailed(
      await runUndo(
        offer,
        {
          setStatus: async (conversationIds, status, snoozedUntil) => {
            const r = await sendMessage('inbox:setStatus', { conversationIds, status, snoozedUntil });
            return 'error' in r ? r : r.data;
          },
          open: async (conversationId) => {
            const r = await sendMessage('inbox:openConversation', { conversationId });
            return 'error' in r ? r : null;
          },
        },
        t,
      ),
    );
  }, [offer, t]);
  const dismissFailure = useCallback(() => setFailed(null), []);
  return { offer, failed, offerUndo, undo, hold: setHeld, dismissFailure };
}
