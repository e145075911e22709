import { Camera, Check, CheckCheck, Clock, MapPin, Mic, Paperclip, UserRound, Video, type LucideIcon } from 'lucide-react';
import { memo } from 'react';
import type { LoadedMedia, MediaLink } from '@/lib/contract/api';
import type { MessageView, QuoteView } from '@/lib/contract/models';
import { failureGuide } from '@/lib/contract/whatsapp';
import { isOutboxCopy, mapLink } from '@/lib/inbox/view';
import { shortTime } from './format';
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
  const m = props.message;
  return (
    <div className="bubble">
      {m.direction === 'note' && <span className="note-label">Private note{props.author ? ` · ${props.author}` : ''}</span>}
      {m.quote && <Quote quote={m.quote} onJumpTo={props.onJumpTo} />}
      {m.interactive ? (
        <p className="interactive">
          <span className="interactive-label">{m.interactive.kind === 'button' ? 'Tapped' : 'Chose'}</span>{' '}
          <span className="chip" title={m.interactive.payload ? `Payload: ${m.interactive.payload}` : undefined}>
            {m.interactive.text}
          </span>
        </p>
      ) : (
        m.body && <p className="body">{m.body}</p>
      )}
      {m.location && (
        <a className="location" href={mapLink(m.location.latitude, m.location.longitude)} target="_blank" rel="noreferrer noopener">
          <span className="place">
            <MapPin aria-hidden="true" /> {m.location.label ?? 'Shared location'}
          </span>
          {m.location.address && <span className="address">{m.location.address}</span>}
        </a>
      )}
      {m.media.map((media, i) =>
        media.url ? (
          <a key={i} className="media" href={media.url} target="_blank" rel="noreferrer noopener">
            Attachment
          </a>
        ) : (
          <div key={i} className="media-item">
            {isOutboxCopy(m) ? (
              <span className="media loading">Sending file…</span>
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
              <span className="ticks" role="img" aria-label="Saving">
                <Clock aria-hidden="true" />
              </span>
            )}
          </>
        )}
        {m.direction === 'inbound' && (
          <button type="button" className="mark-unread" onClick={() => props.onMarkUnread(m.id)}>
            Mark unread from here
          </button>
        )}
      </span>
    </div>
  );
});

/** The message a reply quotes: its text (or what it was), a button to show it in the thread. */
function Quote({ quote, onJumpTo }: { quote: QuoteView; onJumpTo: (messageId: string) => void }) {
  const who = quote.direction === 'inbound' ? 'Customer' : quote.direction === 'outbound' ? 'You' : null;
  const media = !quote.body && quote.contentType ? mediaKind(quote.contentType) : null;
  const what = quote.body || media?.[0] || null;
  const Icon = media?.[1];
  if (!quote.messageId) return <blockquote className="quote unknown">Replying to an earlier message Switchboard does not have</blockquote>;
  // Named by its own visible text (axe: label-content-name-mismatch), with what it does around it.
  return (
    <button type="button" className="quote" onClick={() => onJumpTo(quote.messageId!)}>
      <span className="visually-hidden">Replying to </span>
      {who && <span className="quote-who">{who}</span>}
      <span className="quote-text">
        {Icon && <Icon aria-hidden="true" />}
        {Icon ? ` ${what}` : (what ?? 'A message')}
      </span>
      <span className="visually-hidden">(show it)</span>
    </button>
  );
}

/** What a quoted message without text was, with its icon (emoji render as empty boxes without an emoji font). */
const MEDIA_KINDS: Array<[(type: string) => boolean, string, LucideIcon]> = [
  [(t) => t.startsWith('image/'), 'Photo', Camera],
  [(t) => t.startsWith('audio/'), 'Voice message', Mic],
  [(t) => t.startsWith('video/'), 'Video', Video],
  [(t) => t === 'text/vcard', 'Contact', UserRound],
];
const mediaKind = (type: string): [string, LucideIcon] => {
  const found = MEDIA_KINDS.find(([is]) => is(type));
  return found ? [found[1], found[2]] : ['Document', Paperclip];
};

const TICKS: Partial<Record<MessageView['status'], [LucideIcon, string]>> = {
  accepted: [Clock, 'Sending'],
  queued: [Clock, 'Sending'],
  sending: [Clock, 'Sending'],
  sent: [Check, 'Sent'],
  delivered: [CheckCheck, 'Delivered'],
  read: [CheckCheck, 'Read'],
};

/**
 * Delivery ticks of an outbound message, or why it failed in a plain sentence with the next step
 * that can work: a template when only a template can go, a retry only when retrying can help.
 */
function Ticks({ message: m, onRetry, onUseTemplate }: { message: MessageView; onRetry: () => void; onUseTemplate: () => void }) {
  if (m.status === 'failed' || m.status === 'undelivered') {
    const guide = failureGuide(m.errorCode, m.errorMessage);
    return (
      <span className="ticks failed" role="alert">
        Not delivered: {guide.sentence}
        {m.errorCode !== null && <span className="error-code"> (Twilio {m.errorCode})</span>}{' '}
        {guide.next === 'template' && (
          <button type="button" className="use-template" onClick={onUseTemplate}>
            Send a template
          </button>
        )}
        {guide.next === 'retry' && (
          <button type="button" className="retry" onClick={onRetry}>
            Retry
          </button>
        )}
      </span>
    );
  }
  const [Mark, label] = TICKS[m.status] ?? [null, m.status];
  return (
    <span className={`ticks ticks-${m.status}`} role="img" aria-label={label} title={label}>
      {Mark && <Mark aria-hidden="true" />}
    </span>
  );
}

/** A reply (or note) in the outbox while the connection is down: said in words, not only a clock. */
function Waiting() {
  return (
    <span className="waiting" title="Waiting for the connection: it goes out when Switchboard is back">
      <Clock aria-hidden="true" /> Waiting
    </span>
  );
}
