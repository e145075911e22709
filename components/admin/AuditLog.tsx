import { useTranslation } from 'react-i18next';
import { auditSentence } from '@/lib/admin/audit';
import type { AdminOverview } from '@/lib/contract/api';
import { useFormat } from '@/lib/hooks/useFormat';

/** The audit log: the latest 20 entries, newest first. */
export function AuditLog({ data }: { data: AdminOverview }) {
  const { t } = useTranslation('admin');
  const { formats } = useFormat();
  return (
    <section id="audit-log" className="card" aria-labelledby="audit-heading">
      <h3 id="audit-heading">{t('audit.heading')}</h3>
      <ol aria-label={t('audit.list')} className="audit">
        {data.audit.slice(0, 20).map((e) => (
          <li key={e.id}>
            <time dateTime={e.at}>{formats.dateTime.format(new Date(e.at))}</time> {t('audit.entry', { actor: e.actorName, what: auditSentence(e, t) })}
          </li>
        ))}
      </ol>
    </section>
  );
}
