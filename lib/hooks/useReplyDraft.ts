import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { ReplyContent } from '../api/client';
import { createTypingNotifier } from '../collab/state';
import type { CannedReply, UploadView } from '../contract/api';
import { SENDABLE_TYPES } from '../contract/whatsapp';
import { cannedSuggestions } from '../inbox/view';

/**
 * The messages a draft becomes: one per file (WhatsApp carries one file per message), the text
 * as the first file's caption; but before a document or a contact card, which WhatsApp shows
 * without a caption, the text goes as its own message first.
 */
export function replyContents(text: string, mediaUrl: string | null, uploads: UploadView[]): ReplyContent[] {
  const body = text.trim() ? text : undefined;
  if (uploads.length === 0) return body || mediaUrl ? [{ ...(body ? { body } : {}), ...(mediaUrl ? { mediaUrl } : {}) }] : [];
  const captionable = (u: UploadView) => ['image', 'video', 'audio'].includes(SENDABLE_TYPES[u.contentType]?.kind ?? '');
  const out: ReplyContent[] = [];
  if (body && !captionable(uploads[0]!)) out.push({ body });
  uploads.forEach((upload, i) => out.push({ upload, ...(i === 0 && body && captionable(upload) ? { body } : {}) }));
  return out;
}

/** A file URL the server will accept (https only), normalised, or null. */
export function fileUrlOf(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Why Enter did not send: the composer says it (`thread:composer.<hint>`, plural by count). */
export interface DraftHint {
  hint: 'waitUploads' | 'fixUploads';
  count: number;
}

/**
 * The reply box's state and keys: the draft, an attached file URL, the canned-reply list ("/"
 * opens it; ↑/↓ choose, Enter or Tab insert, Escape closes it without leaving the thread), the
 * typing signal to colleagues (throttled; stopped on send, on clearing and on blur), and Enter to
 * send (Shift+Enter adds a line).
 */
export function useReplyDraft(opts: {
  cannedReplies: CannedReply[];
  onTyping(typing: boolean): void;
  onSubmit(content: ReplyContent): void;
  /** Attached files: sent with the text once uploaded. */
  files?: { ready: UploadView[]; busy: number; blocked: number; clear(): void };
}) {
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
  const [hint, setHint] = useState<DraftHint | null>(null);
  const submit = () => {
    const url = attaching ? fileUrlOf(fileUrl) : null;
    if (attaching && fileUrl && !url) return;
    if (opts.files?.busy) return setHint({ hint: 'waitUploads', count: opts.files.busy });
    if (opts.files?.blocked) return setHint({ hint: 'fixUploads', count: opts.files.blocked });
    const contents = replyContents(text, url, opts.files?.ready ?? []);
    if (contents.length === 0) return;
    for (const content of contents) opts.onSubmit(content);
    notifier.sent();
    setHint(null);
    setText('');
    setFileUrl('');
    setAttaching(false);
    opts.files?.clear();
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
    /** Why Enter did not send (so many files still uploading, or failed), or null. */
    hint,
    submit,
    file: { attaching, url: fileUrl, valid: !fileUrl || !!fileUrlOf(fileUrl), attach: () => setAttaching(true), setUrl: (v: string) => setFileUrl(v.trim()) },
  };
}
