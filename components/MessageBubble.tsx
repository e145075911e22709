import { memo, useEffect, useState } from 'react';
import { INLINE_IMAGE_TYPES, type MediaItem, type MessageView } from '@/lib/contract/models';
import { downloadName } from './format';
import { mapLink } from '@/lib/inbox/view';
import { shortTime } from './format';

/**
 * The content of one message of a thread: inbound, outbound (with ticks) or a private note. Its
 * list item (direction, status) is the thread's. Text only, never HTML.
 */
export const MessageBubble = memo(function MessageBubble(props: {
  message: MessageView;
  /** Name of the agent who wrote a note or reply. */
  author: string | null;
  onRetry: (messageId: string) => void;
  loadMedia: (messageId: string, index: number) => Promise<string>;
  /** Marks the thread unread from this (customer's) message down. */
  onMarkUnread: (messageId: string) => void;
}) {
  const m = props.message;
  return (
    <div className="bubble">
      {m.direction === 'note' && <span className="note-label">Private note{props.author ? ` · ${props.author}` : ''}</span>}
      {m.body && <p className="body">{m.body}</p>}
      {m.location && (
        <a className="location" href={mapLink(m.location.latitude, m.location.longitude)} target="_blank" rel="noreferrer noopener">
          📍 {m.location.label ?? 'Shared location'}
          {m.location.address && <span className="address">{m.location.address}</span>}
        </a>
      )}
      {m.media.map((media, i) =>
        m.direction === 'inbound' ? (
          <Media key={i} media={media} load={() => props.loadMedia(m.id, i)} />
        ) : (
          <a key={i} className="media" href={media.url} target="_blank" rel="noreferrer noopener">
            Attachment
          </a>
        ),
      )}
      <span className="meta">
        <time dateTime={m.createdAt}>{shortTime(m.createdAt)}</time>
        {m.direction === 'outbound' && <Ticks status={m.status} error={m.errorMessage} onRetry={() => props.onRetry(m.id)} />}
        {m.direction === 'note' && m.status === 'accepted' && <span className="ticks" aria-label="Saving">🕓</span>}
        {m.direction === 'inbound' && (
          <button type="button" className="mark-unread" onClick={() => props.onMarkUnread(m.id)}>
            Mark unread from here
          </button>
        )}
      </span>
    </div>
  );
});

const TICKS: Partial<Record<MessageView['status'], [string, string]>> = {
  accepted: ['🕓', 'Sending'],
  queued: ['🕓', 'Sending'],
  sending: ['🕓', 'Sending'],
  sent: ['✓', 'Sent'],
  delivered: ['✓✓', 'Delivered'],
  read: ['✓✓', 'Read'],
};

/** Delivery ticks of an outbound message, or why it failed, with a retry. */
function Ticks({ status, error, onRetry }: { status: MessageView['status']; error: string | null; onRetry: () => void }) {
  if (status === 'failed' || status === 'undelivered') {
    return (
      <span className="ticks failed" role="alert">
        Not delivered{error ? `: ${error}` : ''}{' '}
        <button type="button" className="retry" onClick={onRetry}>
          Retry
        </button>
      </span>
    );
  }
  const [mark, label] = TICKS[status] ?? ['', status];
  return (
    <span className={`ticks ticks-${status}`} aria-label={label} title={label}>
      {mark}
    </span>
  );
}

/**
 * An inbound photo or file. Twilio's media need the account's credentials, so the server fetches
 * them for the agent. Raster images show inline; every other file (a PDF, but also an SVG or an
 * HTML page posing as one) is saved as a download, never opened in the extension's origin.
 */
function Media({ media, load }: { media: MediaItem; load: () => Promise<string> }) {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const image = INLINE_IMAGE_TYPES.has(media.contentType);
  useEffect(() => {
    if (!image) return;
    let live = true;
    load().then(
      (u) => live && setUrl(u),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [image]);
  if (error) return <span className="media error">{image ? 'Photo' : 'File'} unavailable: {error}</span>;
  if (image) return url ? <img className="media" src={url} alt="Photo from the customer" /> : <span className="media loading">Loading photo…</span>;
  return (
    <button
      type="button"
      className="media file"
      onClick={() =>
        void load().then(
          async (dataUrl) => {
            const blob = await (await fetch(dataUrl)).blob();
            const href = URL.createObjectURL(new Blob([blob], { type: 'application/octet-stream' }));
            const a = document.createElement('a');
            a.href = href;
            a.download = downloadName(media.contentType);
            a.click();
            setTimeout(() => URL.revokeObjectURL(href), 60_000);
          },
          (e: Error) => setError(e.message),
        )
      }
    >
      Download attachment ({media.contentType})
    </button>
  );
}
