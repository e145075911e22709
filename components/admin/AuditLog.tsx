import { auditSentence } from '@/lib/admin/audit';
import type { AdminOverview } from '@/lib/contract/api';

/** The audit log: the latest 20 entries, newest first. */
export function AuditLog({ data }: { data: AdminOverview }) {
  return (
    <section id="audit-log" className="card" aria-labelledby="audit-heading">
      <h3 id="audit-heading">Audit log</h3>
      <ol aria-label="Audit log" className="audit">
        {data.audit.slice(0, 20).map((e) => (
          <li key={e.id}>
            <time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time> {e.actorName} {auditSentence(e)}
          </li>
        ))}
      </ol>
    </section>
  );
}
