import { Paperclip } from 'lucide-react';
import { useId, useRef, useState, type DragEvent, type Ref } from 'react';
import { useTranslation } from 'react-i18next';
import type { CannedReply, UploadTicket } from '@/lib/contract/api';
import { useUploads } from '@/lib/hooks/useUploads';
import { replyWindow, type TemplateView } from '@/lib/contract/reply-window';
import type { ReplyContent } from '@/lib/api/client';
import { useFormat } from '@/lib/hooks/useFormat';
import { useReplyDraft } from '@/lib/hooks/useReplyDraft';
import { AttachmentList } from './Attachments';
import { TemplatePicker } from './TemplatePicker';

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
  const { t } = useTranslation('thread');
  const { shortTime } = useFormat();
  const [mode, setMode] = useState<Mode>('reply');
  const window = replyWindow(props.lastInboundAt, props.now);
  const templates = !window.open || props.templatesWanted;
  return (
    <section className={`composer-area mode-${mode}`} aria-label={t('composer.label')}>
      <div className="modes" role="group" aria-label={t('composer.modes')}>
        <button type="button" aria-pressed={mode === 'reply'} onClick={() => setMode('reply')}>
          {t('composer.reply')}
        </button>
        <button type="button" aria-pressed={mode === 'note'} onClick={() => setMode('note')}>
          {t('composer.note')}
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
          {t('composer.optedOut', { date: shortTime(props.optedOutAt) })}
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
  const { t } = useTranslation('thread');
  const { shortTime } = useFormat();
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
          {t('composer.closesSoon', { time: shortTime(props.closesAt!) })}
        </p>
      )}
      <label htmlFor={boxId} className="visually-hidden">
        {note ? t('composer.note') : t('composer.reply')}
      </label>
      {canned.open && (
        <ul className="canned" id={listId} role="listbox" aria-label={t('composer.cannedReplies')}>
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
              <b dir="auto">/{c.shortcut}</b> <span dir="auto">{c.body}</span>
            </li>
          ))}
        </ul>
      )}
      <textarea
        id={boxId}
        ref={props.box}
        rows={2}
        placeholder={note ? t('composer.placeholder.note') : t('composer.placeholder.reply')}
        dir="auto"
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
          {t(`composer.${draft.hint.hint}`, { count: draft.hint.count })}
        </p>
      )}
      {canUpload && (
        <>
          <input
            ref={picker}
            type="file"
            multiple
            hidden
            aria-label={t('composer.filesToSend')}
            onChange={(e) => {
              if (e.target.files) uploads.add(e.target.files);
              e.target.value = '';
            }}
          />
          <button type="button" className="attach-file" onClick={() => picker.current?.click()}>
            <Paperclip aria-hidden="true" /> {t('composer.attachFiles')}
          </button>
        </>
      )}
      {note ? null : file.attaching ? (
        <label className="attach">
          {t('composer.fileUrl')}
          <input type="url" placeholder={EXAMPLE_FILE_URL} value={file.url} aria-invalid={!file.valid} onChange={(e) => file.setUrl(e.target.value)} />
        </label>
      ) : (
        <button type="button" className="attach-toggle" onClick={file.attach}>
          {t('composer.attachByUrl')}
        </button>
      )}
    </div>
  );
}

/** An example, not words: the same in every language. */
const EXAMPLE_FILE_URL = 'https://…/invoice.pdf';

const noTicket = () => Promise.reject(new Error('uploads are not available here'));
