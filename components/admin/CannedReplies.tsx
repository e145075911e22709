import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AdminOverview } from '@/lib/contract/api';
import { sendMessage } from '@/lib/messaging/protocol';
import type { RunAdminAction } from './useAdminAction';

/** Canned replies: the list (edit, delete) and the form that adds one or edits the one chosen. */
export function CannedReplies({ data, run }: { data: AdminOverview; run: RunAdminAction }) {
  const { t } = useTranslation('admin');
  const [editing, setEditing] = useState<{ shortcut: string; body: string } | null>(null);
  return (
    <section id="canned-replies" className="card" aria-labelledby="canned-heading">
      <h3 id="canned-heading">{t('canned.heading')}</h3>
      {data.cannedReplies.length === 0 && <p className="hint">{t('canned.none')}</p>}
      <ul aria-label={t('canned.list')} className="canned-list">
        {data.cannedReplies.map((c) => (
          <li key={c.id}>
            <code>/{c.shortcut}</code> {c.body}{' '}
            <button type="button" onClick={() => setEditing({ shortcut: c.shortcut, body: c.body })}>
              {t('canned.edit', { shortcut: c.shortcut })}
            </button>{' '}
            <button
              type="button"
              onClick={() => confirm(t('canned.deleteConfirm', { shortcut: c.shortcut })) && void run(sendMessage('admin:deleteCannedReply', { id: c.id }))}
            >
              {t('canned.delete', { shortcut: c.shortcut })}
            </button>
          </li>
        ))}
      </ul>
      <CannedReplyForm
        key={editing?.shortcut ?? 'new'}
        editing={editing}
        onDone={() => setEditing(null)}
        onSave={(shortcut, body) => run(sendMessage('admin:saveCannedReply', { shortcut, body }))}
      />
    </section>
  );
}

/** A new canned reply, or the text of one being edited (its shortcut stays: agents know it by that). */
function CannedReplyForm({
  onSave,
  editing,
  onDone,
}: {
  onSave: (shortcut: string, body: string) => Promise<unknown>;
  editing: { shortcut: string; body: string } | null;
  onDone: () => void;
}) {
  const { t } = useTranslation('admin');
  const [shortcut, setShortcut] = useState(editing?.shortcut ?? '');
  const [body, setBody] = useState(editing?.body ?? '');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if ((await onSave(shortcut, body)) !== null) {
      setShortcut('');
      setBody('');
      onDone();
    }
  };
  return (
    <form aria-label={editing ? t('canned.edit', { shortcut: editing.shortcut }) : t('canned.add')} onSubmit={(e) => void submit(e)}>
      <label>
        {t('canned.shortcut')}
        <input value={shortcut} required maxLength={32} readOnly={!!editing} onChange={(e) => setShortcut(e.target.value)} />
      </label>
      <label>
        {t('canned.text')}
        <textarea value={body} required maxLength={4096} onChange={(e) => setBody(e.target.value)} />
      </label>
      <button type="submit">{t('canned.save')}</button>
      {editing && (
        <button type="button" onClick={onDone}>
          {t('canned.cancel')}
        </button>
      )}
    </form>
  );
}
