import { useEffect, useMemo, useRef, useState } from 'react';
import { createTypingNotifier } from '@/lib/collab/state';

/**
 * The reply box: Enter sends, Shift+Enter adds a line. It tells colleagues that the agent is typing
 * (at most every 1.5 s; stop on send, on clearing the box and on blur).
 */
export function Composer({ onTyping, onSend }: { onTyping: (typing: boolean) => void; onSend: (body: string) => void }) {
  const [text, setText] = useState('');
  const send = useRef(onTyping);
  send.current = onTyping;
  const notifier = useMemo(() => createTypingNotifier((typing) => send.current(typing)), []);
  useEffect(() => () => notifier.blur(), [notifier]);
  return (
    <div className="composer">
      <label htmlFor="reply" className="visually-hidden">
        Reply
      </label>
      <textarea
        id="reply"
        rows={2}
        placeholder="Write a reply…"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          notifier.input(e.target.value);
        }}
        onBlur={() => notifier.blur()}
        onKeyDown={(e) => {
          // Enter sends; Shift+Enter starts a new line.
          if (e.key !== 'Enter' || e.shiftKey || e.nativeEvent.isComposing) return;
          e.preventDefault();
          if (!text.trim()) return;
          onSend(text);
          notifier.sent();
          setText('');
        }}
      />
    </div>
  );
}
