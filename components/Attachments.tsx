import { FileText } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { useFileWords } from '@/lib/hooks/useFileWords';
import type { Uploads } from '@/lib/hooks/useUploads';

/** The files attached to a draft: preview, progress with Cancel, or why one cannot go (with Try again). */
export function AttachmentList({ uploads }: { uploads: Uploads }) {
  const { t } = useTranslation('thread');
  const words = useFileWords();
  return (
    <ul className="attachments" aria-label={t('attachments.label')}>
      {uploads.items.map((a) => (
        <li key={a.key} className={`attachment ${a.state}`}>
          {a.preview ? (
            <img src={a.preview} alt="" className="thumb" />
          ) : (
            <span className="thumb" aria-hidden="true">
              <FileText />
            </span>
          )}
          <span className="name" dir="auto">
            {a.name}
          </span>{' '}
          <span className="size">{words.size(a.size)}</span>
          {a.state === 'uploading' && <progress max={1} value={a.progress} aria-label={t('attachments.uploading', { name: a.name })} />}
          {a.state === 'ready' && <span className="ready">{t('attachments.ready')}</span>}
          {a.error && (
            <span className="error" role="alert">
              {words.problem(a.error)}
            </span>
          )}
          {a.state === 'failed' && a.retryable && (
            <button type="button" onClick={() => uploads.retry(a.key)}>
              {t('tryAgain', { ns: 'common' })}
            </button>
          )}
          <button type="button" onClick={() => uploads.remove(a.key)}>
            {a.state === 'uploading' ? t('attachments.cancel', { name: a.name }) : t('attachments.remove', { name: a.name })}
          </button>
        </li>
      ))}
    </ul>
  );
}
