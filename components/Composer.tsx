import { FileText, Paperclip } from 'lucide-react';
import { useEffect, useId, useRef, useState, type DragEvent, type Ref } from 'react';
import type { CannedReply, UploadTicket } from '@/lib/contract/api';
import { formatBytes } from '@/lib/contract/whatsapp';
import { useUploads, type Uploads } from '@/lib/hooks/useUploads';
import { replyWindow, templateParts, type TemplateView } from '@/lib/contract/reply-window';
import type { ReplyContent } from '@/lib/api/client';
import { useReplyDraft } from '@/lib/hooks/useReplyDraft';
import { shortTime } from './format';

type Mode = 'reply' | 'note';

/**
 * The reply box: Enter sends, Shift+Enter adds a line, "/" offers the organisation's canned
 * replies. Files come by the Attach button, by dropping them on the composer or by pasting them,
 * checked against WhatsApp's limits and uploaded with a progress bar at once; the text goes with
 * them as a caption. It tells colleagues that the agent is typing (at most every 1.5 s; stop on
 * send, on clearing the box and on blur). Outside WhatsApp's 24-hour window (or when a failed
 * message asks for one) it offers the channel's approved templates instead; to a customer who
 * opted out it sends nothing. The Note tab writes a private note that only agents see.
 */
export function Composer(props: {
  lastInboundAt: string | null;
  /** The customer opted out (sent STOP): nothing can be sent until they opt back in. */
  optedOutAt?: string | null;
  /** A failed message asked for a template: show the templates even inside the window. */
  templatesWanted?: boolean;
  onTemplatesDone?: () => void;
  cannedReplies: CannedReply[];
  onTyping: (typing: boolean) => void;
  onSend: (content: ReplyContent) => void;
  onNote: (body: string) => void;
  loadTemplates: () => Promise<TemplateView[]>;
  uploadTicket?: () => Promise<UploadTicket>;
  /** The reply box (either mode), for the panel's R key and the focus on open. */
  replyBox?: Ref<HTMLTextAreaElement>;
  now?: number;
}) {
  const [mode, setMode] = useState<Mode>('reply');
  const window = replyWindow(props.lastInboundAt, props.now);
  const templates = !window.open || props.templatesWanted;
  return (
    <section className={`composer-area mode-${mode}`} aria-label="Compose">
      <div className="modes" role="group" aria-label="Write">
        <button type="button" aria-pressed={mode === 'reply'} onClick={() => setMode('reply')}>
          Reply
        </button>
        <button type="button" aria-pressed={mode === 'note'} onClick={() => setMode('note')}>
          Private note
        </button>
      </div>
      {mode === 'note' ? (
        <TextComposer
          key="note"
          mode="note"
          closesAt={null}
          cannedReplies={props.cannedReplies}
          onTyping={() => {}}
          onSubmit={({ body }) => body && props.onNote(body)}
          box={props.replyBox}
        />
      ) : props.optedOutAt ? (
        <p className="window-note closed opted-out" role="note">
          This customer opted out of messages from this number on {shortTime(props.optedOutAt)} (they sent STOP). Nothing can be sent to them until they write
          START. You can still leave a private note.
        </p>
      ) : !templates ? (
        <TextComposer
          key="reply"
          mode="reply"
          closesAt={window.closesAt}
          now={props.now}
          cannedReplies={props.cannedReplies}
          onTyping={props.onTyping}
          onSubmit={props.onSend}
          box={props.replyBox}
          uploadTicket={props.uploadTicket}
        />
      ) : (
        <TemplatePicker
          closesAt={window.open ? null : window.closesAt}
          windowOpen={window.open}
          load={props.loadTemplates}
          onSend={(content) => {
            props.onSend(content);
            props.onTemplatesDone?.();
          }}
          onCancel={window.open ? props.onTemplatesDone : undefined}
        />
      )}
    </section>
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
  uploadTicket?: () => Promise<UploadTicket>;
}) {
  const boxId = useId();
  const listId = useId();
  const uploads = useUploads(props.uploadTicket ?? noTicket);
  const canUpload = !!props.uploadTicket && props.mode === 'reply';
  const draft = useReplyDraft({
    cannedReplies: props.cannedReplies,
    onTyping: props.onTyping,
    onSubmit: props.onSubmit,
    files: canUpload ? uploads : undefined,
  });
  const picker = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const dropProps = canUpload
    ? {
        onDragOver: (e: DragEvent) => {
          if (![...e.dataTransfer.types].includes('Files')) return;
          e.preventDefault();
          setDragging(true);
        },
        onDragLeave: () => setDragging(false),
        onDrop: (e: DragEvent) => {
          if (!e.dataTransfer.files.length) return;
          e.preventDefault();
          setDragging(false);
          uploads.add(e.dataTransfer.files);
        },
      }
    : {};
  const { canned, file } = draft;
  const closingSoon = props.closesAt && new Date(props.closesAt).getTime() - (props.now ?? Date.now()) < 2 * 3600_000;
  const note = props.mode === 'note';

  return (
    <div className={`composer${note ? ' note' : ''}${dragging ? ' dragging' : ''}`} {...dropProps}>
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
        // A textbox that suggests canned replies (role combobox is not allowed on a textarea: axe's aria-allowed-role).
        aria-autocomplete="list"
        aria-controls={canned.open ? listId : undefined}
        aria-activedescendant={canned.open ? `${listId}-${canned.chosen}` : undefined}
        aria-keyshortcuts="R"
        onChange={(e) => draft.change(e.target.value)}
        onBlur={draft.blur}
        onKeyDown={draft.onKeyDown}
        onPaste={(e) => {
          if (canUpload && e.clipboardData.files.length) {
            e.preventDefault();
            uploads.add(e.clipboardData.files);
          }
        }}
      />
      {canUpload && uploads.items.length > 0 && <AttachmentList uploads={uploads} />}
      {draft.hint && (
        <p className="hint" role="status">
          {draft.hint}
        </p>
      )}
      {canUpload && (
        <>
          <input
            ref={picker}
            type="file"
            multiple
            hidden
            aria-label="Files to send"
            onChange={(e) => {
              if (e.target.files) uploads.add(e.target.files);
              e.target.value = '';
            }}
          />
          <button type="button" className="attach-file" onClick={() => picker.current?.click()}>
            <Paperclip aria-hidden="true" /> Attach files
          </button>
        </>
      )}
      {note ? null : file.attaching ? (
        <label className="attach">
          File or image URL
          <input type="url" placeholder="https://…/invoice.pdf" value={file.url} aria-invalid={!file.valid} onChange={(e) => file.setUrl(e.target.value)} />
        </label>
      ) : (
        <button type="button" className="attach-toggle" onClick={file.attach}>
          Attach a file by URL
        </button>
      )}
    </div>
  );
}

const noTicket = () => Promise.reject(new Error('uploads are not available here'));

/** The files attached to a draft: preview, progress with Cancel, or why one cannot go (with Try again). */
function AttachmentList({ uploads }: { uploads: Uploads }) {
  return (
    <ul className="attachments" aria-label="Attached files">
      {uploads.items.map((a) => (
        <li key={a.key} className={`attachment ${a.state}`}>
          {a.preview ? (
            <img src={a.preview} alt="" className="thumb" />
          ) : (
            <span className="thumb" aria-hidden="true">
              <FileText />
            </span>
          )}
          <span className="name">{a.name}</span> <span className="size">{formatBytes(a.size)}</span>
          {a.state === 'uploading' && <progress max={1} value={a.progress} aria-label={`Uploading ${a.name}`} />}
          {a.state === 'ready' && <span className="ready">Ready</span>}
          {a.error && (
            <span className="error" role="alert">
              {a.error}
            </span>
          )}
          {a.state === 'failed' && a.retryable && (
            <button type="button" onClick={() => uploads.retry(a.key)}>
              Try again
            </button>
          )}
          <button type="button" onClick={() => uploads.remove(a.key)}>
            {a.state === 'uploading' ? `Cancel ${a.name}` : `Remove ${a.name}`}
          </button>
        </li>
      ))}
    </ul>
  );
}

/** Outside the window (or asked for after a failure): pick an approved template, fill its variables, send. */
function TemplatePicker(props: {
  closesAt: string | null;
  windowOpen?: boolean;
  load: () => Promise<TemplateView[]>;
  onSend: (content: ReplyContent) => void;
  onCancel?: () => void;
}) {
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
  // What a variable means, as the organisation labelled it; else its place ("Value 1"), never {{1}}.
  const labelOf = (k: string) => chosen?.labels[k] ?? <>Value {keys.indexOf(k) + 1}</>;
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
        {props.windowOpen
          ? 'WhatsApp refused a free-form message to this customer: an approved template can still go.'
          : props.closesAt
            ? `The 24-hour window closed at ${shortTime(props.closesAt)}. WhatsApp only allows an approved template until the customer writes again.`
            : 'The customer has not written yet: start with an approved template.'}
      </p>
      {props.onCancel && (
        <button type="button" className="link" onClick={props.onCancel}>
          Write a reply instead
        </button>
      )}
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
              {labelOf(k)}
              <input value={values[k] ?? ''} placeholder={chosen!.variables[k]} onChange={(e) => setValues({ ...values, [k]: e.target.value })} />
            </label>
          ))}
          {chosen && (
            <p className="template-preview">
              {templateParts(chosen.body).map((part, i) =>
                typeof part === 'string' ? (
                  part
                ) : values[part.variable] ? (
                  values[part.variable]
                ) : (
                  <span key={i} className="template-slot">
                    {labelOf(part.variable)}
                  </span>
                ),
              )}
            </p>
          )}
          <button type="submit" disabled={!ready}>
            Send template
          </button>
        </>
      )}
    </form>
  );
}

/** An http(s) URL Twilio can fetch, or null. */
