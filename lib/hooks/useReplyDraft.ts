import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { ReplyContent } from '../api/client';
import { createTypingNotifier } from '../collab/state';
import type { CannedReply } from '../contract/api';
import { cannedSuggestions } from '../inbox/view';

/** A file URL the server will accept (https only), normalised, or null. */
export function fileUrlOf(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * The reply box's state and keys: the draft, an attached file URL, the canned-reply list ("/"
 * opens it; ↑/↓ choose, Enter or Tab insert, Escape closes it without leaving the thread), the
 * typing signal to colleagues (throttled; stopped on send, on clearing and on blur), and Enter to
 * send (Shift+Enter adds a line).
 */
export function useReplyDraft(opts: { cannedReplies: CannedReply[]; onTyping(typing: boolean): void; onSubmit(content: ReplyContent): void }) {
  const [text, setText] = useState('');
  const [attaching, setAttaching] = useState(false);
  const [fileUrl, setFileUrl] = useState('');
  const [pick, setPick] = useState(0);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const typing = useRef(opts.onTyping);
  typing.current = opts.onTyping;
  const notifier = useMemo(() => createTypingNotifier((t) => typing.current(t)), []);
  useEffect(() => () => notifier.blur(), [notifier]);
  const suggestions = text === dismissed ? null : cannedSuggestions(opts.cannedReplies, text);
  const open = !!suggestions && suggestions.length > 0;
  const chosen = open ? Math.min(pick, suggestions.length - 1) : -1;

  const insert = (c: CannedReply) => {
    setText(c.body);
    setPick(0);
    notifier.input(c.body);
  };
  const submit = () => {
    const url = attaching ? fileUrlOf(fileUrl) : null;
    if (attaching && fileUrl && !url) return;
    if (!text.trim() && !url) return;
    opts.onSubmit({ ...(text.trim() ? { body: text } : {}), ...(url ? { mediaUrl: url } : {}) });
    notifier.sent();
    setText('');
    setFileUrl('');
    setAttaching(false);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (open) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setPick((chosen + (e.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        insert(suggestions[chosen]!);
        return;
      }
      if (e.key === 'Escape') {
        e.stopPropagation(); // closes the list, not the thread
        setDismissed(text);
        return;
      }
    }
    if (e.key !== 'Enter' || e.shiftKey || e.nativeEvent.isComposing) return;
    e.preventDefault();
    submit();
  };
  return {
    text,
    change(value: string) {
      setText(value);
      setPick(0);
      notifier.input(value);
    },
    blur: () => notifier.blur(),
    onKeyDown,
    canned: { open, suggestions: open ? suggestions : [], chosen, insert },
    file: { attaching, url: fileUrl, valid: !fileUrl || !!fileUrlOf(fileUrl), attach: () => setAttaching(true), setUrl: (v: string) => setFileUrl(v.trim()) },
  };
}
