import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { createTypingNotifier } from '@/lib/collab/state';
import type { CannedReply } from '@/lib/contract/api';
import { renderTemplate, replyWindow, type TemplateView } from '@/lib/contract/reply-window';
import type { ReplyContent } from '@/lib/api/client';
import { cannedSuggestions } from '@/lib/inbox/view';
import { shortTime } from './format';

type Mode = 'reply' | 'note';

/**
 * The reply box: Enter sends, Shift+Enter adds a line, "/" offers the organisation's canned
 * replies. It tells colleagues that the agent is typing (at most every 1.5 s; stop on send, on
 * clearing the box and on blur). Outside WhatsApp's 24-hour window it offers the channel's
 * approved templates instead. The Note tab writes a private note that only agents see.
 */
export function Composer(props: {
  lastInboundAt: string | null;
  cannedReplies: CannedReply[];
  onTyping: (typing: boolean) => void;
  onSend: (content: ReplyContent) => void;
  onNote: (body: string) => void;
  loadTemplates: () => Promise<TemplateView[]>;
  now?: number;
}) {
  const [mode, setMode] = useState<Mode>('reply');
  const window = replyWindow(props.lastInboundAt, props.now);
  return (
    <div className={`composer-area mode-${mode}`}>
      <div className="modes" role="group" aria-label="Write">
        <button type="button" aria-pressed={mode === 'reply'} onClick={() => setMode('reply')}>
          Reply
        </button>
        <button type="button" aria-pressed={mode === 'note'} onClick={() => setMode('note')}>
          Private note
        </button>
      </div>
      {mode === 'note' ? (
        <TextComposer key="note" mode="note" closesAt={null} cannedReplies={props.cannedReplies} onTyping={() => {}} onSubmit={({ body }) => body && props.onNote(body)} />
      ) : window.open ? (
        <TextComposer key="reply" mode="reply" closesAt={window.closesAt} now={props.now} cannedReplies={props.cannedReplies} onTyping={props.onTyping} onSubmit={props.onSend} />
      ) : (
        <TemplatePicker closesAt={window.closesAt} load={props.loadTemplates} onSend={props.onSend} />
      )}
    </div>
  );
}

function TextComposer(props: {
  mode: Mode;
  closesAt: string | null;
  now?: number;
  cannedReplies: CannedReply[];
  onTyping: (typing: boolean) => void;
  onSubmit: (content: ReplyContent) => void;
}) {
  const [text, setText] = useState('');
  const [attaching, setAttaching] = useState(false);
  const [fileUrl, setFileUrl] = useState('');
  const [pick, setPick] = useState(0);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const typing = useRef(props.onTyping);
  typing.current = props.onTyping;
  const notifier = useMemo(() => createTypingNotifier((t) => typing.current(t)), []);
  useEffect(() => () => notifier.blur(), [notifier]);
  const listId = useId();
  const suggestions = text === dismissed ? null : cannedSuggestions(props.cannedReplies, text);
  const open = !!suggestions && suggestions.length > 0;
  const chosen = open ? Math.min(pick, suggestions.length - 1) : -1;
  const closingSoon = props.closesAt && new Date(props.closesAt).getTime() - (props.now ?? Date.now()) < 2 * 3600_000;
  const note = props.mode === 'note';

  const insert = (c: CannedReply) => {
    setText(c.body);
    setPick(0);
    notifier.input(c.body);
  };
  const submit = () => {
    const url = attaching ? validUrl(fileUrl) : null;
    if (attaching && fileUrl && !url) return;
    if (!text.trim() && !url) return;
    props.onSubmit({ ...(text.trim() ? { body: text } : {}), ...(url ? { mediaUrl: url } : {}) });
    notifier.sent();
    setText('');
    setFileUrl('');
    setAttaching(false);
  };

  return (
    <div className={`composer${note ? ' note' : ''}`}>
      {closingSoon && (
        <p className="window-note" role="note">
          The 24-hour window closes at {shortTime(props.closesAt!)}; after that, only templates.
        </p>
      )}
      <label htmlFor="reply" className="visually-hidden">
        {note ? 'Private note' : 'Reply'}
      </label>
      {open && (
        <ul className="canned" id={listId} role="listbox" aria-label="Canned replies">
          {suggestions.map((c, i) => (
            <li
              key={c.id}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === chosen}
              onMouseDown={(e) => {
                e.preventDefault(); // keep focus in the box
                insert(c);
              }}
            >
              <b>/{c.shortcut}</b> <span>{c.body}</span>
            </li>
          ))}
        </ul>
      )}
      <textarea
        id="reply"
        rows={2}
        placeholder={note ? 'Private note: only your team sees it' : 'Write a reply… ("/" for saved replies)'}
        value={text}
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={open ? listId : undefined}
        aria-activedescendant={open ? `${listId}-${chosen}` : undefined}
        aria-keyshortcuts="R"
        onChange={(e) => {
          setText(e.target.value);
          setPick(0);
          notifier.input(e.target.value);
        }}
        onBlur={() => notifier.blur()}
        onKeyDown={(e) => {
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
          // Enter sends; Shift+Enter starts a new line.
          if (e.key !== 'Enter' || e.shiftKey || e.nativeEvent.isComposing) return;
          e.preventDefault();
          submit();
        }}
      />
      {note ? null : attaching ? (
        <label className="attach">
          File or image URL
          <input
            type="url"
            placeholder="https://…/invoice.pdf"
            value={fileUrl}
            aria-invalid={!!fileUrl && !validUrl(fileUrl)}
            onChange={(e) => setFileUrl(e.target.value.trim())}
          />
        </label>
      ) : (
        <button type="button" className="attach-toggle" onClick={() => setAttaching(true)}>
          Attach a file by URL
        </button>
      )}
    </div>
  );
}

/** Outside the window: pick an approved template, fill its variables, send. */
function TemplatePicker(props: { closesAt: string | null; load: () => Promise<TemplateView[]>; onSend: (content: ReplyContent) => void }) {
  const [templates, setTemplates] = useState<TemplateView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sid, setSid] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  useEffect(() => {
    props.load().then(
      (list) => {
        setTemplates(list);
        if (list[0]) setSid(list[0].sid);
      },
      (err: Error) => setError(err.message),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const chosen = templates?.find((t) => t.sid === sid);
  const keys = chosen ? Object.keys(chosen.variables) : [];
  const ready = chosen && keys.every((k) => values[k]?.trim());
  return (
    <form
      className="composer templates"
      aria-label="Send a template"
      onSubmit={(e) => {
        e.preventDefault();
        if (!chosen || !ready) return;
        props.onSend({ template: { sid: chosen.sid, variables: Object.fromEntries(keys.map((k) => [k, values[k]!.trim()])) } });
        setValues({});
      }}
    >
      <p className="window-note closed" role="note">
        {props.closesAt
          ? `The 24-hour window closed at ${shortTime(props.closesAt)}. WhatsApp only allows an approved template until the customer writes again.`
          : 'The customer has not written yet: start with an approved template.'}
      </p>
      {error && <p role="alert">Templates unavailable: {error}</p>}
      {templates && templates.length === 0 && <p>No approved templates for this channel.</p>}
      {templates && templates.length > 0 && (
        <>
          <label>
            Template
            <select value={sid} onChange={(e) => setSid(e.target.value)}>
              {templates.map((t) => (
                <option key={t.sid} value={t.sid}>
                  {t.name} ({t.language})
                </option>
              ))}
            </select>
          </label>
          {keys.map((k) => (
            <label key={`${sid}:${k}`}>
              {`{{${k}}}`}
              <input value={values[k] ?? ''} placeholder={chosen!.variables[k]} onChange={(e) => setValues({ ...values, [k]: e.target.value })} />
            </label>
          ))}
          {chosen && <p className="template-preview">{renderTemplate(chosen.body, Object.fromEntries(keys.map((k) => [k, values[k] || `{{${k}}}`])))}</p>}
          <button type="submit" disabled={!ready}>
            Send template
          </button>
        </>
      )}
    </form>
  );
}

/** An http(s) URL Twilio can fetch, or null. */
function validUrl(value: string): string | null {
  try {
    const url = new URL(value);
    return /^https?:$/.test(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}
