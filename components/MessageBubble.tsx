import { Camera, Check, CheckCheck, Clock, Link2, MapPin, Mic, Paperclip, UserRound, Video, type LucideIcon } from 'lucide-react';
import { memo, useEffect, useState } from 'react';
import type { LoadedMedia, MediaLink } from '@/lib/contract/api';
import { INLINE_IMAGE_TYPES, type MediaItem, type MessageView, type QuoteView } from '@/lib/contract/models';
import { failureGuide, formatBytes, SENDABLE_TYPES } from '@/lib/contract/whatsapp';
import { parseContactCard, type ContactCard } from '@/lib/inbox/vcard';
import { mapLink } from '@/lib/inbox/view';
import { downloadName, shortTime, whenLabel } from './format';

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
            <Media media={media} load={() => props.loadMedia(m.id, i)} onOpenPhone={props.onOpenPhone} fromCustomer={m.direction === 'inbound'} />
            {m.direction !== 'note' && <MediaShare make={() => props.linkMedia(m.id, i)} />}
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
  return (
    <button type="button" className="quote" onClick={() => onJumpTo(quote.messageId!)} aria-label={`Replying to: ${what ?? 'a message'}. Show it`}>
      {who && <span className="quote-who">{who}</span>}
      <span className="quote-text">
        {Icon && <Icon aria-hidden="true" />}
        {Icon ? ` ${what}` : (what ?? 'A message')}
      </span>
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

/** A media file as a blob: URL of its stated type (only for players and images; never a document). */
async function blobUrl(dataUrl: string, type: string): Promise<string> {
  const blob = await (await fetch(dataUrl)).blob();
  return URL.createObjectURL(new Blob([blob], { type }));
}

/**
 * A file in a message. Customers' files need Twilio's credentials and agents' uploads the
 * server's, so the server fetches them for the agent. Raster images show inline, voice notes and
 * audio get a player, video plays inline, a contact card shows who it is (with a button to open
 * that number); every other file (a PDF, but also an SVG or an HTML page posing as one) is saved
 * as a download, never opened in the extension's origin.
 */
function Media({
  media,
  load,
  onOpenPhone,
  fromCustomer,
}: {
  media: MediaItem;
  load: () => Promise<LoadedMedia>;
  onOpenPhone: (phone: string) => void;
  fromCustomer: boolean;
}) {
  const type = media.contentType.split(';')[0]!.trim().toLowerCase();
  const kind = INLINE_IMAGE_TYPES.has(type)
    ? 'image'
    : type.startsWith('audio/')
      ? 'audio'
      : type.startsWith('video/')
        ? 'video'
        : type === 'text/vcard' || type === 'text/x-vcard'
          ? 'contact'
          : 'file';
  const [url, setUrl] = useState<string | null>(null);
  const [card, setCard] = useState<ContactCard | null>(null);
  const [error, setError] = useState<string | null>(null);
  // A document's name and size (an upload's are known; a customer's come with the file).
  const [info, setInfo] = useState<{ name: string | null; size: number | null }>({ name: media.name ?? null, size: media.size ?? null });
  useEffect(() => {
    let live = true;
    let made: string | null = null;
    if (kind === 'file') {
      if (media.name && media.size) return;
      load().then(
        (m) => live && setInfo({ name: m.fileName, size: m.size }),
        () => {}, // the download button says it if the file cannot be had
      );
      return () => {
        live = false;
      };
    }
    load()
      .then(async ({ dataUrl }) => {
        if (kind === 'contact') {
          const parsed = parseContactCard(await (await fetch(dataUrl)).text());
          if (!parsed) throw new Error('not a readable contact card');
          if (live) setCard(parsed);
        } else if (kind === 'image') {
          if (live) setUrl(dataUrl);
        } else {
          made = await blobUrl(dataUrl, type);
          if (live) setUrl(made);
        }
      })
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [kind]);
  const what = { image: 'Photo', audio: 'Voice message', video: 'Video', contact: 'Contact card', file: 'File' }[kind];
  if (error)
    return (
      <span className="media error">
        {what} unavailable: {error}
      </span>
    );
  if (kind === 'image')
    return url ? (
      <img className="media" src={url} alt={fromCustomer ? 'Photo from the customer' : 'Photo you sent'} />
    ) : (
      <span className="media loading">Loading photo…</span>
    );
  if (kind === 'audio')
    return url ? (
      <audio className="media audio" controls preload="metadata" src={url} aria-label={what} />
    ) : (
      <span className="media loading">Loading voice message…</span>
    );
  if (kind === 'video')
    return url ? (
      <video className="media video" controls preload="metadata" src={url} aria-label={what} />
    ) : (
      <span className="media loading">Loading video…</span>
    );
  if (kind === 'contact') {
    if (!card) return <span className="media loading">Loading contact…</span>;
    return (
      <div className="media contact-card" role="group" aria-label={`Contact: ${card.name}`}>
        <strong>
          <UserRound aria-hidden="true" /> {card.name}
        </strong>
        {card.organisation && <span className="contact-org">{card.organisation}</span>}
        <ul>
          {card.phones.map((p, i) => (
            <li key={i}>
              {p.label}{' '}
              {p.e164 && (
                <button type="button" onClick={() => onOpenPhone(p.e164!)}>
                  Message {p.e164}
                </button>
              )}
            </li>
          ))}
        </ul>
      </div>
    );
  }
  const label = info.name ?? SENDABLE_TYPES[type]?.label ?? `File (${type})`;
  return (
    <button
      type="button"
      className="media file"
      onClick={() =>
        void load().then(
          async ({ dataUrl, fileName }) => {
            const blob = await (await fetch(dataUrl)).blob();
            const href = URL.createObjectURL(new Blob([blob], { type: 'application/octet-stream' }));
            const a = document.createElement('a');
            a.href = href;
            a.download = info.name ?? fileName ?? downloadName(type);
            a.click();
            setTimeout(() => URL.revokeObjectURL(href), 60_000);
          },
          (e: Error) => setError(e.message),
        )
      }
    >
      <Paperclip aria-hidden="true" /> Download {label}
      {info.size ? ` (${formatBytes(info.size)})` : ''}
    </button>
  );
}

/**
 * A link to a file for someone who is not signed in to Switchboard (pasted into a CRM record, sent
 * to a colleague): made on demand, copied, shown with when it stops working. Links on CRM records
 * expire (docs/crm.md); this is how an agent gives a fresh one.
 */
function MediaShare({ make }: { make: () => Promise<MediaLink> }) {
  const [link, setLink] = useState<MediaLink | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const get = () =>
    make().then(
      async (l) => {
        setLink(l);
        setError(null);
        setCopied(
          await navigator.clipboard.writeText(l.url).then(
            () => true,
            () => false,
          ),
        );
      },
      (e: Error) => setError(e.message),
    );
  return (
    <div className="media-share">
      <button type="button" className="link" onClick={() => void get()}>
        <Link2 aria-hidden="true" /> {link ? 'New link' : 'Copy link'}
      </button>
      {link && (
        <span role="status">
          {copied ? 'Copied: ' : ''}works without signing in until {whenLabel(link.expiresAt)}
          <input className="media-link" readOnly aria-label="Link to this file" value={link.url} onFocus={(e) => e.target.select()} />
        </span>
      )}
      {error && <span role="alert">Could not make a link: {error}</span>}
    </div>
  );
}
