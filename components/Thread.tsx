import { useEffect, useState } from 'react';
import type { ReplyContent } from '@/lib/api/client';
import type { AgentConversationView, MediaItem, MessageView } from '@/lib/contract/models';
import type { TemplateView } from '@/lib/contract/reply-window';
import { Composer } from './Composer';
import { contactLabel, shortTime } from './format';
import { TypingDots } from './TypingDots';

/** One conversation's messages, oldest first. Bodies are text nodes, never HTML. */
export function Thread(props: {
  conversation: AgentConversationView;
  messages: MessageView[];
  onBack: () => void;
  /** "Bob is typing a reply" / "Bob is viewing", or null. */
  collision: string | null;
  typing: string[];
  onTyping: (typing: boolean) => void;
  onSend: (content: ReplyContent) => void;
  onRetry: (messageId: string) => void;
  loadTemplates: () => Promise<TemplateView[]>;
  /** Fetches a message's media file as a data: URL. */
  loadMedia: (messageId: string, index: number) => Promise<string>;
}) {
  const { conversation: c } = props;
  return (
    <section className="thread" aria-label={`Conversation with ${contactLabel(c)}`}>
      <header>
        <button type="button" onClick={props.onBack} aria-label="Back to conversations">
          ←
        </button>
        <div>
          <h2>{contactLabel(c)}</h2>
          <span className="phone">{c.contact.phone}</span>
        </div>
      </header>
      {props.collision && (
        <p className="collision" role="status">
          {props.collision}
        </p>
      )}
      <ol className="messages" aria-live="polite" aria-label="Messages">
        {props.messages.map((m) => (
          <li key={m.id} className={`message ${m.direction}`} data-message-id={m.id} data-status={m.status}>
            {m.body && <p className="body">{m.body}</p>}
            {m.media.map((media, i) =>
              m.direction === 'inbound' ? (
                <Media key={i} media={media} load={() => props.loadMedia(m.id, i)} />
              ) : (
                <a key={i} className="media" href={media.url} target="_blank" rel="noreferrer noopener">
                  Attachment
                </a>
              ),
            )}
            <time dateTime={m.createdAt}>{shortTime(m.createdAt)}</time>
            {m.direction === 'outbound' && <Ticks status={m.status} error={m.errorMessage} onRetry={() => props.onRetry(m.id)} />}
          </li>
        ))}
      </ol>
      <div className="thread-typing">
        <TypingDots names={props.typing} />
      </div>
      <Composer lastInboundAt={c.lastInboundAt} onTyping={props.onTyping} onSend={props.onSend} loadTemplates={props.loadTemplates} />
    </section>
  );
}

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
 * them for the agent; images show inline, other files open from a link.
 */
function Media({ media, load }: { media: MediaItem; load: () => Promise<string> }) {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const image = media.contentType.startsWith('image/');
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
  if (error) return <span className="media error">Photo unavailable: {error}</span>;
  if (image) return url ? <img className="media" src={url} alt="Photo from the customer" /> : <span className="media loading">Loading photo…</span>;
  return (
    <button
      type="button"
      className="media file"
      onClick={() =>
        void load().then(async (dataUrl) => {
          // Open the file from a blob: URL (browsers refuse to navigate to data: URLs).
          const blob = await (await fetch(dataUrl)).blob();
          window.open(URL.createObjectURL(blob), '_blank', 'noopener');
        }, (e: Error) => setError(e.message))
      }
    >
      Attachment ({media.contentType})
    </button>
  );
}
