import { useState } from 'react';
import type { ConversationStatus } from '@/lib/contract/models';
import { sendMessage } from '@/lib/messaging/protocol';

/**
 * Acts on the conversations picked in the list: resolve them (or reopen them, in Resolved), and
 * says what happened, including those the customer wrote to meanwhile (left open).
 */
export function BulkBar(props: { ids: string[]; status: ConversationStatus; onDone: (said: string | null) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const target: ConversationStatus = props.status === 'resolved' ? 'open' : 'resolved';
  const act = async () => {
    setBusy(true);
    const r = await sendMessage('inbox:setStatus', { conversationIds: props.ids, status: target, snoozedUntil: null });
    setBusy(false);
    if ('error' in r) return setError(r.error);
    const verb = target === 'open' ? 'reopened' : 'resolved';
    const parts = [`${r.data.changed + r.data.unchanged} ${verb}`];
    if (r.data.newMessages) parts.push(`${r.data.newMessages} left open: the customer wrote again`);
    if (r.data.notFound) parts.push(`${r.data.notFound} no longer found`);
    props.onDone(parts.join('; '));
  };
  return (
    <div className="bulk" role="region" aria-label="Selected conversations">
      <span>{props.ids.length} selected</span>
      <button type="button" disabled={busy} onClick={() => void act()}>
        {target === 'open' ? 'Reopen' : 'Resolve'} {props.ids.length}
      </button>
      <button type="button" onClick={() => props.onDone(null)}>
        Clear
      </button>
      {error && <span role="alert">{error}</span>}
    </div>
  );
}
