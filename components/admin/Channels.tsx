import { useState, type FormEvent } from 'react';
import type { AdminOverview, WaitingNumber } from '@/lib/contract/api';
import { sendMessage } from '@/lib/messaging/protocol';
import { CopyField } from '../CopyField';
import { shortTime } from '../format';
import { useAdminAction } from './useAdminAction';

/** WhatsApp channels with the webhook URL for Twilio, and the numbers with messages waiting to be set up. */
export function Channels({ data }: { data: AdminOverview }) {
  return (
    <section id="channels" className="card" aria-labelledby="channels-heading">
      <h3 id="channels-heading">WhatsApp channels</h3>
      {/* One URL for the workspace: every channel's is the same, so it is shown once. */}
      <CopyField
        label="Webhook URL for Twilio (incoming messages, HTTP POST)"
        value={data.webhookUrl}
        hint="The same for every WhatsApp number of this workspace: Twilio sends each number’s incoming messages here."
      />
      <ul aria-label="Channels" className="channels">
        {data.channels.map((ch) => (
          <li key={ch.id}>
            <span>
              <strong>{ch.name}</strong> {ch.whatsappNumber?.replace(/^whatsapp:/, '') ?? ch.messagingServiceSid}
            </span>
            {ch.webhookUrl !== data.webhookUrl && <CopyField label={`Webhook URL for Twilio for ${ch.name}`} value={ch.webhookUrl} />}
            <span className="hint">
              {ch.lastInboundAt ? `Twilio last delivered a message ${shortTime(ch.lastInboundAt)}` : 'Twilio has not delivered a message yet'}
            </span>
          </li>
        ))}
      </ul>
      {data.waiting.length > 0 && (
        <>
          <h4>Messages for numbers not set up yet</h4>
          <p className="hint">
            Customers wrote to these numbers, which Twilio sends to this workspace’s webhook URL. Set a number up to bring its messages into the inbox.
          </p>
          <ul aria-label="Numbers not set up yet">
            {data.waiting.map((w) => (
              <WaitingNumberItem key={w.whatsappNumber} waiting={w} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function WaitingNumberItem({ waiting }: { waiting: WaitingNumber }) {
  const number = waiting.whatsappNumber.replace(/^whatsapp:/, '');
  const [name, setName] = useState('');
  const { error, run } = useAdminAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(sendMessage('admin:createChannel', { whatsappNumber: waiting.whatsappNumber, name }));
  };
  return (
    <li>
      <strong>{number}</strong>: {waiting.count === 1 ? '1 message' : `${waiting.count} messages`}, the latest {shortTime(waiting.lastAt)} from{' '}
      {waiting.latest.from.replace(/^whatsapp:/, '')}: <q>{waiting.latest.body}</q>
      <form aria-label={`Set up ${number}`} onSubmit={submit}>
        <label>
          Channel name
          <input value={name} required maxLength={200} onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="submit">Set up {number}</button>
        {error && <p role="alert">{error}</p>}
      </form>
    </li>
  );
}
