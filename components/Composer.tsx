import { useEffect, useMemo, useRef, useState } from 'react';
import { createTypingNotifier } from '@/lib/collab/state';

/**
 * The reply box. It tells colleagues that the agent is typing (at most every 1.5 s; stop on clear
 * and blur). Sending replies comes with the outbound issue; until then the box only signals typing.
 */
export function Composer({ onTyping }: { onTyping: (typing: boolean) => void }) {
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
      />
    </div>
  );
}
