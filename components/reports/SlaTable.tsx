import { useTranslation } from 'react-i18next';
import type { ReportResponse, ReportSlaCount, ReportSlaKinds } from '@/lib/contract/reports';
import { useFormat } from '@/lib/hooks/useFormat';
import { ReportBlock, ScrollTable } from './ReportBlock';

const KINDS = ['firstResponse', 'nextResponse', 'resolution'] as const;

/** SLA met % per kind: the organisation's, then per team and per agent, each cell the share with its met and missed counts. */
export function SlaTable({ report }: { report: ReportResponse }) {
  const { t } = useTranslation('reports');
  const { formats, language } = useFormat();
  const percent = new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 1 });
  const sla = report.sla;
  const cell = (c: ReportSlaCount) =>
    c.metPercent === null
      ? t('figures.none')
      : t('sla.cell', { percent: percent.format(c.metPercent / 100), met: formats.number.format(c.met), missed: formats.number.format(c.missed) });
  const row = (key: string, name: string, kinds: ReportSlaKinds) => (
    <tr key={key}>
      <th scope="row">{name}</th>
      {KINDS.map((k) => (
        <td key={k}>{cell(kinds[k])}</td>
      ))}
    </tr>
  );
  const group = (key: string, title: string) => (
    <tr key={key}>
      <th scope="colgroup" colSpan={KINDS.length + 1}>
        {title}
      </th>
    </tr>
  );
  const rows = [
    row('all', t('sla.all'), sla.overall),
    ...(sla.teams.length > 0 ? [group('teams', t('sla.teams'))] : []),
    ...sla.teams.map((r) => row(`team-${r.teamId}`, r.name, r)),
    ...(sla.agents.length > 0 ? [group('agents', t('sla.agents'))] : []),
    ...sla.agents.map((r) => row(`agent-${r.agentId ?? 'none'}`, r.displayName ?? t('sla.noAgent'), r)),
  ];
  const counted = KINDS.some((k) => sla.overall[k].metPercent !== null);
  return (
    <ReportBlock id="sla" title={t('sla.heading')} table="sla" explain={t('explain.sla')}>
      {!counted ? (
        <p>{t('sla.none')}</p>
      ) : (
        <ScrollTable labelledBy="reports-sla-heading" caption={t('sla.heading')}>
          <thead>
            <tr>
              <td />
              {KINDS.map((k) => (
                <th key={k} scope="col">
                  {t(`sla.${k}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>{rows}</tbody>
        </ScrollTable>
      )}
    </ReportBlock>
  );
}
