import { createContext, useContext, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ReportTableName } from '@/lib/contract/reports';
import { downloadCsv, type ReportRequest } from '@/lib/hooks/useReport';
import { csvFileName, daysOf } from '@/lib/reports/period';

/** What the report on screen answers, for its tables' downloads. */
export const CsvContext = createContext<ReportRequest | null>(null);

/** *Download CSV* of one table of the report on screen. */
export function CsvButton({ table, name }: { table: ReportTableName; name: string }) {
  const { t } = useTranslation('reports');
  const request = useContext(CsvContext);
  const [error, setError] = useState<string | null>(null);
  if (!request) return null;
  const download = () => {
    setError(null);
    downloadCsv(request, table, csvFileName(table, daysOf(request))).catch((err: Error) => setError(err.message));
  };
  return (
    <span className="reports-csv">
      <button type="button" onClick={download} aria-label={t('csv.label', { table: name })}>
        {t('csv.button')}
      </button>
      {error && <span role="alert">{t('state.error', { message: error })}</span>}
    </span>
  );
}

/** One part of the report: its heading with the *Download CSV* of its table, the line saying how it is computed, then the part. */
export function ReportBlock({
  id,
  title,
  table,
  explain,
  children,
}: {
  id: string;
  title: string;
  /** The table its *Download CSV* downloads; none without one. */
  table?: ReportTableName;
  explain?: string;
  children: React.ReactNode;
}) {
  return (
    <section className="reports-block" aria-labelledby={`reports-${id}-heading`}>
      <div className="reports-block-head">
        <h3 id={`reports-${id}-heading`}>{title}</h3>
        {table && <CsvButton table={table} name={title} />}
      </div>
      {explain && <p className="reports-explain">{explain}</p>}
      {children}
    </section>
  );
}

/** A report's table in a scroll region that a keyboard can focus (wide tables scroll on a narrow page), with its caption for screen readers. */
export function ScrollTable({
  labelledBy,
  caption,
  className = 'reports-table',
  children,
}: {
  labelledBy: string;
  caption: string;
  className?: string;
  children: React.ReactNode;
}) {
  return (
    <div className="reports-scroll" tabIndex={0} role="group" aria-labelledby={labelledBy}>
      <table className={className}>
        <caption className="visually-hidden">{caption}</caption>
        {children}
      </table>
    </div>
  );
}
