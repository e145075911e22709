import { memo } from 'react';
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
        <Row key={c.id} conversation={c} selected={c.id === props.selectedId} typing={props.typing[c.id]} onOpen={props.onOpen} />
      ))}
    </ul>
  );
}

/** One conversation; re-renders only when its own data changes (a busy inbox changes a few rows at a time). */
const Row = memo(function Row({ conversation: c, selected, typing, onOpen }: { conversation: AgentConversationView; selected: boolean; typing: string[] | undefined; onOpen: (id: string) => void }) {
  return (
    <li>
      <button
        type="button"
        className={`conversation${selected ? ' selected' : ''}${c.unreadCount ? ' unread' : ''}`}
        aria-current={selected ? 'true' : undefined}
        data-conversation-id={c.id}
        onClick={() => onOpen(c.id)}
      >
        <span className="row">
          <span className="name">{contactLabel(c)}</span>
          <time dateTime={c.lastMessageAt ?? undefined}>{shortTime(c.lastMessageAt)}</time>
        </span>
        <span className="row">
          {typing?.length ? <TypingDots names={typing} /> : <span className="preview">{c.lastMessagePreview ?? ''}</span>}
          {c.unreadCount > 0 && (
            <span className="unread-count" aria-label={`${c.unreadCount} unread`}>
              {c.unreadCount}
            </span>
          )}
        </span>
      </button>
    </li>
  );
}, (a, b) => a.conversation === b.conversation && a.selected === b.selected && a.onOpen === b.onOpen && (a.typing ?? []).join() === (b.typing ?? []).join());
