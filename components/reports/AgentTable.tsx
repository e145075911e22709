import { useTranslation } from 'react-i18next';
import type { ReportResponse } from '@/lib/contract/reports';
import { useFormat } from '@/lib/hooks/useFormat';
import { durationFormat } from '@/lib/reports/durations';
import { ReportBlock, ScrollTable } from './ReportBlock';

const COUNTS = ['replies', 'responses', 'conversations', 'firstResponses'] as const;
const TIMES = ['availableSeconds', 'busySeconds', 'awaySeconds'] as const;

/** Each agent's replies, responses (and in how many conversations), first responses with their median time, resolves, and time connected per availability. */
export function AgentTable({ report }: { report: ReportResponse }) {
  const { t } = useTranslation('reports');
  const { formats, language } = useFormat();
  const duration = durationFormat(language);
  const rows = [...report.agents.rows].sort((a, b) => formats.collator.compare(a.displayName, b.displayName));
  return (
    <ReportBlock id="agents" title={t('agents.heading')} table="agents" explain={t('explain.agents')}>
      {rows.length === 0 ? (
        <p>{t('agents.none')}</p>
      ) : (
        <ScrollTable labelledBy="reports-agents-heading" caption={t('agents.heading')}>
          <thead>
            <tr>
              <th scope="col">{t('agents.agent')}</th>
              {COUNTS.map((k) => (
                <th key={k} scope="col">
                  {t(`agents.${k}`)}
                </th>
              ))}
              <th scope="col">{t('agents.firstResponseMedian')}</th>
              <th scope="col">{t('agents.resolved')}</th>
              {TIMES.map((k) => (
                <th key={k} scope="col">
                  {t(`agents.${k}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.agentId}>
                <th scope="row">{r.displayName}</th>
                {COUNTS.map((k) => (
                  <td key={k}>{formats.number.format(r[k])}</td>
                ))}
                <td>{r.firstResponseMedianSeconds === null ? t('figures.none') : duration(r.firstResponseMedianSeconds)}</td>
                <td>{formats.number.format(r.resolved)}</td>
                {TIMES.map((k) => (
                  <td key={k}>{duration(r[k])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      )}
    </ReportBlock>
  );
}
