import type { AgentConversationView, MessageView } from '@/lib/contract/models';
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
  onSend: (body: string) => void;
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
            {m.media.map((media, i) => (
              <a key={i} className="media" href={media.url} target="_blank" rel="noreferrer noopener">
                {media.contentType.startsWith('image/') ? 'Photo' : 'Attachment'} ({media.contentType})
              </a>
            ))}
            <time dateTime={m.createdAt}>{shortTime(m.createdAt)}</time>
            {m.direction === 'outbound' && <Ticks status={m.status} error={m.errorMessage} />}
          </li>
        ))}
      </ol>
      <div className="thread-typing">
        <TypingDots names={props.typing} />
      </div>
      <Composer onTyping={props.onTyping} onSend={props.onSend} />
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

/** Delivery ticks of an outbound message, or why it failed. */
function Ticks({ status, error }: { status: MessageView['status']; error: string | null }) {
  if (status === 'failed' || status === 'undelivered') {
    return <span className="ticks failed" role="alert">Not delivered{error ? `: ${error}` : ''}</span>;
  }
  const [mark, label] = TICKS[status] ?? ['', status];
  return (
    <span className={`ticks ticks-${status}`} aria-label={label} title={label}>
      {mark}
    </span>
  );
}
