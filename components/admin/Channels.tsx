import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AdminOverview, WaitingNumber } from '@/lib/contract/api';
import { useFormat } from '@/lib/hooks/useFormat';
import { sendMessage } from '@/lib/messaging/protocol';
import { CopyField } from '../CopyField';
import { useAdminAction } from './useAdminAction';

/** WhatsApp channels with the webhook URL for Twilio, and the numbers with messages waiting to be set up. */
export function Channels({ data }: { data: AdminOverview }) {
  const { t } = useTranslation('admin');
  const { shortTime } = useFormat();
  return (
    <section id="channels" className="card" aria-labelledby="channels-heading">
      <h3 id="channels-heading">{t('channels.heading')}</h3>
      {/* One URL for the workspace: every channel's is the same, so it is shown once. */}
      <CopyField label={t('channels.webhook')} value={data.webhookUrl} hint={t('channels.webhookHint')} />
      <ul aria-label={t('channels.list')} className="channels">
        {data.channels.map((ch) => (
          <li key={ch.id}>
            <span>
              <strong>{ch.name}</strong> {ch.whatsappNumber?.replace(/^whatsapp:/, '') ?? ch.messagingServiceSid}
            </span>
            {ch.webhookUrl !== data.webhookUrl && <CopyField label={t('channels.webhookOf', { name: ch.name })} value={ch.webhookUrl} />}
            <span className="hint">{ch.lastInboundAt ? t('channels.lastInbound', { when: shortTime(ch.lastInboundAt) }) : t('channels.noInbound')}</span>
          </li>
        ))}
      </ul>
      {data.waiting.length > 0 && (
        <>
          <h4>{t('channels.waitingHeading')}</h4>
          <p className="hint">{t('channels.waitingHint')}</p>
          <ul aria-label={t('channels.waitingList')}>
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
  const { t } = useTranslation('admin');
  const { shortTime } = useFormat();
  const number = waiting.whatsappNumber.replace(/^whatsapp:/, '');
  const [name, setName] = useState('');
  const { error, run } = useAdminAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(sendMessage('admin:createChannel', { whatsappNumber: waiting.whatsappNumber, name }));
  };
  // The customer's words stay outside the translated sentence: they are text, never markup.
  return (
    <li>
      <strong>{number}</strong>:{' '}
      {t('channels.waiting', { count: waiting.count, when: shortTime(waiting.lastAt), from: waiting.latest.from.replace(/^whatsapp:/, '') })}{' '}
      <q>{waiting.latest.body}</q>
      <form aria-label={t('channels.setUp', { number })} onSubmit={submit}>
        <label>
          {t('channels.channelName')}
          <input value={name} required maxLength={200} onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="submit">{t('channels.setUp', { number })}</button>
        {error && <p role="alert">{error}</p>}
      </form>
    </li>
  );
}
