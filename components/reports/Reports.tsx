import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ReportResponse } from '@/lib/contract/reports';
import { useReport, type ReportRequest } from '@/lib/hooks/useReport';
import { useStorageItem } from '@/lib/hooks/useStorageItem';
import { browserTimeZone, dayIn, periodOf, presetRange } from '@/lib/reports/period';
import { agentItem } from '@/lib/storage/items';
import { AgentTable } from './AgentTable';
import { DailyChart } from './DailyChart';
import { Floor } from './Floor';
import { Heatmap } from './Heatmap';
import { ReportFigures } from './ReportFigures';
import { SlaTable } from './SlaTable';
import { ReportFilters, type FilterValues } from './ReportFilters';
import { CsvContext } from './ReportBlock';

/**
 * Reports for admins and team leads (docs/reports.md): a period of whole days in the agent's own
 * time zone, optional channel, team and agent filters, then the figures, the daily chart, the heat map
 * and the per-agent table, each table downloadable as CSV. Agents see nothing (the server refuses
 * them too).
 */
export function Reports() {
  const me = useStorageItem(agentItem);
  const { t } = useTranslation('reports');
  const timeZone = useMemo(browserTimeZone, []);
  const [values, setValues] = useState<FilterValues>(() => ({
    preset: 'last7',
    range: presetRange('last7', dayIn(Date.now(), timeZone)),
    channel: '',
    agent: '',
    team: '',
  }));
  const request = useMemo<ReportRequest>(
    () => ({
      ...periodOf(values.range, timeZone),
      timeZone,
      channel: values.channel || undefined,
      agent: values.agent || undefined,
      team: values.team || undefined,
    }),
    [values, timeZone],
  );
  const allowed = me?.role === 'admin' || me?.role === 'lead';
  const state = useReport(allowed ? request : null);
  if (!allowed) return null;
  return (
    <section id="reports" className="card reports" aria-labelledby="reports-heading">
      <h2 id="reports-heading">{t('heading')}</h2>
      <Floor />
      <ReportFilters values={values} timeZone={timeZone} onChange={setValues} />
      <div aria-live="polite">
        {state.loading && <p className="reports-state">{t('state.loading')}</p>}
        {state.error && (
          <p role="alert" className="reports-state">
            {t('state.error', { message: state.error })}
          </p>
        )}
      </div>
      {state.shown && (
        // The previous report stays, dimmed, while the next one loads: the page does not jump.
        <div className={state.loading ? 'reports-body reports-stale' : 'reports-body'} aria-busy={state.loading}>
          <CsvContext.Provider value={state.shown.request}>
            <ReportBody report={state.shown.report} />
          </CsvContext.Provider>
        </div>
      )}
    </section>
  );
}

function ReportBody({ report }: { report: ReportResponse }) {
  const { t } = useTranslation('reports');
  const f = report.figures;
  const empty = f.opened.events + f.reopened.events + f.resolved.events + f.messagesIn.value + f.messagesOut.value === 0;
  if (empty) return <p className="reports-empty">{t('state.empty')}</p>;
  return (
    <>
      <ReportFigures report={report} />
      <DailyChart report={report} />
      <Heatmap report={report} />
      <AgentTable report={report} />
      <SlaTable report={report} />
    </>
  );
}
