import { Camera, Check, CheckCheck, Clock, MapPin, Mic, Paperclip, UserRound, Video, type LucideIcon } from 'lucide-react';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import type { LoadedMedia, MediaLink } from '@/lib/contract/api';
import type { MessageView, QuoteView } from '@/lib/contract/models';
import { failureGuide } from '@/lib/contract/whatsapp';
import { isOutboxCopy, mapLink } from '@/lib/inbox/view';
import { useFormat } from '@/lib/hooks/useFormat';
import { Media, MediaShare } from './Media';

/**
 * The content of one message of a thread: inbound, outbound (with ticks) or a private note. Its
 * list item (direction, status) is the thread's. Text only, never HTML: a customer's words, a
 * quoted message, a button's text and a contact card are all rendered as text.
 */
export const MessageBubble = memo(function MessageBubble(props: {
  message: MessageView;
  /** Still in the outbox while the server cannot be reached: it goes out when the connection is back. */
  waiting: boolean;
  /** Name of the agent who wrote a note or reply. */
  author: string | null;
  onRetry: (messageId: string) => void;
  loadMedia: (messageId: string, index: number) => Promise<LoadedMedia>;
  /** A link to a file that works without signing in (for a CRM record, a colleague), until it expires. */
  linkMedia: (messageId: string, index: number) => Promise<MediaLink>;
  /** Marks the thread unread from this (customer's) message down. */
  onMarkUnread: (messageId: string) => void;
  /** Shows the quoted message in the thread (loading older history if needed). */
  onJumpTo: (messageId: string) => void;
  /** Opens (or starts) the conversation with a number from a shared contact card. */
  onOpenPhone: (phone: string) => void;
  /** A failed message that only a template can replace: offer one. */
  onUseTemplate: () => void;
}) {
  const { t } = useTranslation('thread');
  const { shortTime } = useFormat();
  const m = props.message;
  // The outbox's copy of a template (pendingMessage in lib/inbox/store.ts): no sender, text or file yet.
  const pendingTemplate = m.direction === 'outbound' && m.sentBy === null && !m.body && m.media.length === 0 && !m.location && !m.interactive;
  return (
    <div className="bubble">
      {m.direction === 'note' && <span className="note-label">{props.author ? t('bubble.noteBy', { name: props.author }) : t('bubble.note')}</span>}
      {m.quote && <Quote quote={m.quote} onJumpTo={props.onJumpTo} />}
      {m.interactive ? (
        <p className="interactive">
          <span className="interactive-label">{m.interactive.kind === 'button' ? t('bubble.tapped') : t('bubble.chose')}</span>{' '}
          <span className="chip" dir="auto" title={m.interactive.payload ? t('bubble.payload', { payload: m.interactive.payload }) : undefined}>
            {m.interactive.text}
          </span>
        </p>
      ) : (
        m.body && (
          <p className="body" dir="auto">
            {m.body}
          </p>
        )
      )}
      {pendingTemplate && <p className="body template-pending">{t('template.pending')}</p>}
      {m.location && (
        <a className="location" href={mapLink(m.location.latitude, m.location.longitude)} target="_blank" rel="noreferrer noopener">
          <span className="place">
            <MapPin aria-hidden="true" /> {m.location.label ? <span dir="auto">{m.location.label}</span> : t('bubble.sharedLocation')}
          </span>
          {m.location.address && (
            <span className="address" dir="auto">
              {m.location.address}
            </span>
          )}
        </a>
      )}
      {m.media.map((media, i) =>
        media.url ? (
          <a key={i} className="media" href={media.url} target="_blank" rel="noreferrer noopener">
            {t('bubble.attachment')}
          </a>
        ) : (
          <div key={i} className="media-item">
            {isOutboxCopy(m) ? (
              <span className="media loading">{t('bubble.sendingFile')}</span>
            ) : (
              <Media media={media} load={() => props.loadMedia(m.id, i)} onOpenPhone={props.onOpenPhone} fromCustomer={m.direction === 'inbound'} />
            )}
            {m.direction !== 'note' && !isOutboxCopy(m) && <MediaShare make={() => props.linkMedia(m.id, i)} />}
          </div>
        ),
      )}
      <span className="meta">
        <time dateTime={m.createdAt}>{shortTime(m.createdAt)}</time>
        {props.waiting ? (
          <Waiting />
        ) : (
          <>
            {m.direction === 'outbound' && <Ticks message={m} onRetry={() => props.onRetry(m.id)} onUseTemplate={props.onUseTemplate} />}
            {m.direction === 'note' && m.status === 'accepted' && (
              <span className="ticks" role="img" aria-label={t('bubble.saving')}>
                <Clock aria-hidden="true" />
              </span>
            )}
          </>
        )}
        {m.direction === 'inbound' && (
          <button type="button" className="mark-unread" onClick={() => props.onMarkUnread(m.id)}>
            {t('bubble.markUnread')}
          </button>
        )}
      </span>
    </div>
  );
});

/** The message a reply quotes: its text (or what it was), a button to show it in the thread. */
function Quote({ quote, onJumpTo }: { quote: QuoteView; onJumpTo: (messageId: string) => void }) {
  const { t } = useTranslation('thread');
  const who = quote.direction === 'inbound' ? t('quote.customer') : quote.direction === 'outbound' ? t('list.you', { ns: 'inbox' }) : null;
  const media = !quote.body && quote.contentType ? mediaKind(quote.contentType) : null;
  const Icon = media?.[1];
  if (!quote.messageId) return <blockquote className="quote unknown">{t('quote.unknown')}</blockquote>;
  // Named by its own visible text (axe: label-content-name-mismatch), with what it does around it.
  return (
    <button type="button" className="quote" onClick={() => onJumpTo(quote.messageId!)}>
      <span className="visually-hidden">{t('quote.replyingTo')} </span>
      {who && <span className="quote-who">{who}</span>}
      {quote.body ? (
        <span className="quote-text" dir="auto">
          {quote.body}
        </span>
      ) : (
        <span className="quote-text">
          {Icon && <Icon aria-hidden="true" />}
          {media ? ` ${t(`quote.kind.${media[0]}`)}` : t('quote.aMessage')}
        </span>
      )}
      <span className="visually-hidden">{t('quote.show')}</span>
    </button>
  );
}

/** What a quoted message without text was, with its icon (emoji render as empty boxes without an emoji font). */
type QuotedKind = 'photo' | 'voice' | 'video' | 'contact' | 'document';
const MEDIA_KINDS: Array<[(type: string) => boolean, QuotedKind, LucideIcon]> = [
  [(t) => t.startsWith('image/'), 'photo', Camera],
  [(t) => t.startsWith('audio/'), 'voice', Mic],
  [(t) => t.startsWith('video/'), 'video', Video],
  [(t) => t === 'text/vcard', 'contact', UserRound],
];
const mediaKind = (type: string): [QuotedKind, LucideIcon] => {
  const found = MEDIA_KINDS.find(([is]) => is(type));
  return found ? [found[1], found[2]] : ['document', Paperclip];
};

const TICKS: Partial<Record<MessageView['status'], [LucideIcon, 'sending' | 'sent' | 'delivered' | 'read']>> = {
  accepted: [Clock, 'sending'],
  queued: [Clock, 'sending'],
  sending: [Clock, 'sending'],
  sent: [Check, 'sent'],
  delivered: [CheckCheck, 'delivered'],
  read: [CheckCheck, 'read'],
};

/**
 * Delivery ticks of an outbound message, or why it failed in a plain sentence with the next step
 * that can work: a template when only a template can go, a retry only when retrying can help.
 */
function Ticks({ message: m, onRetry, onUseTemplate }: { message: MessageView; onRetry: () => void; onUseTemplate: () => void }) {
  const { t } = useTranslation('thread');
  if (m.status === 'failed' || m.status === 'undelivered') {
    const guide = failureGuide(m.errorCode, m.errorMessage);
    // A code Switchboard does not know: Twilio's own (English) words, as they are.
    const reason = guide.reason ? t(`delivery.reason.${guide.reason}`) : guide.detail!;
    return (
      <span className="ticks failed" role="alert">
        {t('delivery.notDelivered', { reason })}
        {m.errorCode !== null && <span className="error-code"> {t('delivery.code', { code: m.errorCode })}</span>}{' '}
        {guide.next === 'template' && (
          <button type="button" className="use-template" onClick={onUseTemplate}>
            {t('delivery.useTemplate')}
          </button>
        )}
        {guide.next === 'retry' && (
          <button type="button" className="retry" onClick={onRetry}>
            {t('delivery.retry')}
          </button>
        )}
      </span>
    );
  }
  const tick = TICKS[m.status];
  const Mark = tick?.[0];
  const label = tick ? t(`status.${tick[1]}`) : m.status;
  return (
    <span className={`ticks ticks-${m.status}`} role="img" aria-label={label} title={label}>
      {Mark && <Mark aria-hidden="true" />}
    </span>
  );
}

/** A reply (or note) in the outbox while the connection is down: said in words, not only a clock. */
function Waiting() {
  const { t } = useTranslation('thread');
  return (
    <span className="waiting" title={t('bubble.waitingDetail')}>
      <Clock aria-hidden="true" /> {t('bubble.waiting')}
    </span>
  );
}
