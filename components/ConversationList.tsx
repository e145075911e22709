import type { AgentConversationView } from '@/lib/contract/models';
import { contactLabel, shortTime } from './format';
import { TypingDots } from './TypingDots';

/** Conversations, newest first, with unread counts. Customer text is rendered as text only. */
export function ConversationList(props: {
  conversations: AgentConversationView[];
  selectedId: string | null;
  onOpen: (id: string) => void;
  /** conversation -> names of colleagues typing in it now */
  typing: Record<string, string[]>;
}) {
  if (props.conversations.length === 0) return <p className="empty">No conversations yet.</p>;
  return (
    <ul className="conversations" aria-label="Conversations">
      {props.conversations.map((c) => (
        <li key={c.id}>
          <button
            type="button"
            className={`conversation${c.id === props.selectedId ? ' selected' : ''}${c.unreadCount ? ' unread' : ''}`}
            aria-current={c.id === props.selectedId ? 'true' : undefined}
            data-conversation-id={c.id}
            onClick={() => props.onOpen(c.id)}
          >
            <span className="row">
              <span className="name">{contactLabel(c)}</span>
              <time dateTime={c.lastMessageAt ?? undefined}>{shortTime(c.lastMessageAt)}</time>
            </span>
            <span className="row">
              {props.typing[c.id]?.length ? <TypingDots names={props.typing[c.id]!} /> : <span className="preview">{c.lastMessagePreview ?? ''}</span>}
              {c.unreadCount > 0 && (
                <span className="unread-count" aria-label={`${c.unreadCount} unread`}>
                  {c.unreadCount}
                </span>
              )}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
