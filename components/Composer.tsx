import { useEffect, useId, useState, type Ref } from 'react';
import type { CannedReply } from '@/lib/contract/api';
import { renderTemplate, replyWindow, type TemplateView } from '@/lib/contract/reply-window';
import type { ReplyContent } from '@/lib/api/client';
import { useReplyDraft } from '@/lib/hooks/useReplyDraft';
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
  /** The reply box (either mode), for the panel's R key and the focus on open. */
  replyBox?: Ref<HTMLTextAreaElement>;
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
        <TextComposer key="note" mode="note" closesAt={null} cannedReplies={props.cannedReplies} onTyping={() => {}} onSubmit={({ body }) => body && props.onNote(body)} box={props.replyBox} />
      ) : window.open ? (
        <TextComposer key="reply" mode="reply" closesAt={window.closesAt} now={props.now} cannedReplies={props.cannedReplies} onTyping={props.onTyping} onSubmit={props.onSend} box={props.replyBox} />
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
  box?: Ref<HTMLTextAreaElement>;
}) {
  const boxId = useId();
  const listId = useId();
  const draft = useReplyDraft({ cannedReplies: props.cannedReplies, onTyping: props.onTyping, onSubmit: props.onSubmit });
  const { canned, file } = draft;
  const closingSoon = props.closesAt && new Date(props.closesAt).getTime() - (props.now ?? Date.now()) < 2 * 3600_000;
  const note = props.mode === 'note';

  return (
    <div className={`composer${note ? ' note' : ''}`}>
      {closingSoon && (
        <p className="window-note" role="note">
          The 24-hour window closes at {shortTime(props.closesAt!)}; after that, only templates.
        </p>
      )}
      <label htmlFor={boxId} className="visually-hidden">
        {note ? 'Private note' : 'Reply'}
      </label>
      {canned.open && (
        <ul className="canned" id={listId} role="listbox" aria-label="Canned replies">
          {canned.suggestions.map((c, i) => (
            <li
              key={c.id}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === canned.chosen}
              onMouseDown={(e) => {
                e.preventDefault(); // keep focus in the box
                canned.insert(c);
              }}
            >
              <b>/{c.shortcut}</b> <span>{c.body}</span>
            </li>
          ))}
        </ul>
      )}
      <textarea
        id={boxId}
        ref={props.box}
        rows={2}
        placeholder={note ? 'Private note: only your team sees it' : 'Write a reply… ("/" for saved replies)'}
        value={draft.text}
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={canned.open}
        aria-controls={canned.open ? listId : undefined}
        aria-activedescendant={canned.open ? `${listId}-${canned.chosen}` : undefined}
        aria-keyshortcuts="R"
        onChange={(e) => draft.change(e.target.value)}
        onBlur={draft.blur}
        onKeyDown={draft.onKeyDown}
      />
      {note ? null : file.attaching ? (
        <label className="attach">
          File or image URL
          <input
            type="url"
            placeholder="https://…/invoice.pdf"
            value={file.url}
            aria-invalid={!file.valid}
            onChange={(e) => file.setUrl(e.target.value)}
          />
        </label>
      ) : (
        <button type="button" className="attach-toggle" onClick={file.attach}>
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
