import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgentConversationView, ConversationStatus } from '@/lib/contract/models';
import { statusUndo, type Undoable } from '@/lib/inbox/undo';
import { sendMessage } from '@/lib/messaging/protocol';

/**
 * Selection mode's bar: acts on the conversations picked in the list (resolve them, or reopen
 * them in Resolved) and says what happened, including those the customer wrote to meanwhile (left
 * open), with an Undo; Done leaves selection mode.
 */
export function BulkBar(props: { picked: AgentConversationView[]; status: ConversationStatus; onDone: (done: Undoable | null) => void }) {
  const { t } = useTranslation('inbox');
  const ids = props.picked.map((c) => c.id);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const target: ConversationStatus = props.status === 'resolved' ? 'open' : 'resolved';
  const act = async () => {
    setBusy(true);
    const r = await sendMessage('inbox:setStatus', { conversationIds: ids, status: target, snoozedUntil: null });
    setBusy(false);
    if ('error' in r) return setError(r.error);
    const done = r.data.changed + r.data.unchanged;
    const parts = [target === 'open' ? t('bulk.reopened', { count: done }) : t('bulk.resolved', { count: done })];
    if (r.data.newMessages) parts.push(t('bulk.leftOpen', { count: r.data.newMessages }));
    if (r.data.notFound) parts.push(t('undo.notFound', { count: r.data.notFound }));
    props.onDone(statusUndo(parts.join('; '), props.picked));
  };
  return (
    <div className="bulk" role="region" aria-label={t('bulk.label')}>
      <span>{t('bulk.selected', { count: ids.length })}</span>
      <button type="button" disabled={busy || ids.length === 0} onClick={() => void act()}>
        {target === 'open' ? t('bulk.reopen', { count: ids.length }) : t('bulk.resolve', { count: ids.length })}
      </button>
      <button type="button" onClick={() => props.onDone(null)}>
        {t('bulk.done')}
      </button>
      {error && <span role="alert">{error}</span>}
    </div>
  );
}
