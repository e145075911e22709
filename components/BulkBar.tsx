import { useState } from 'react';
import type { AgentConversationView, ConversationStatus } from '@/lib/contract/models';
import { statusUndo, type Undoable } from '@/lib/inbox/undo';
import { sendMessage } from '@/lib/messaging/protocol';

/**
 * Selection mode's bar: acts on the conversations picked in the list (resolve them, or reopen
 * them in Resolved) and says what happened, including those the customer wrote to meanwhile (left
 * open), with an Undo; Done leaves selection mode.
 */
export function BulkBar(props: { picked: AgentConversationView[]; status: ConversationStatus; onDone: (done: Undoable | null) => void }) {
  const ids = props.picked.map((c) => c.id);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const target: ConversationStatus = props.status === 'resolved' ? 'open' : 'resolved';
  const act = async () => {
    setBusy(true);
    const r = await sendMessage('inbox:setStatus', { conversationIds: ids, status: target, snoozedUntil: null });
    setBusy(false);
    if ('error' in r) return setError(r.error);
    const verb = target === 'open' ? 'reopened' : 'resolved';
    const parts = [`${r.data.changed + r.data.unchanged} ${verb}`];
    if (r.data.newMessages) parts.push(`${r.data.newMessages} left open: the customer wrote again`);
    if (r.data.notFound) parts.push(`${r.data.notFound} no longer found`);
    props.onDone(statusUndo(parts.join('; '), props.picked));
  };
  return (
    <div className="bulk" role="region" aria-label="Selected conversations">
      <span>{ids.length} selected</span>
      <button type="button" disabled={busy || ids.length === 0} onClick={() => void act()}>
        {target === 'open' ? 'Reopen' : 'Resolve'} {ids.length}
      </button>
      <button type="button" onClick={() => props.onDone(null)}>
        Done
      </button>
      {error && <span role="alert">{error}</span>}
    </div>
  );
}
