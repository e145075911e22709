import { useTranslation } from 'react-i18next';
import type { ReportCount, ReportDuration, ReportFigures as Figures, ReportResponse } from '@/lib/contract/reports';
import { useFormat } from '@/lib/hooks/useFormat';
import { durationFormat } from '@/lib/reports/durations';
import { ReportBlock } from './ReportBlock';

type CountKey = 'opened' | 'reopened' | 'resolved';
type DurationKey = 'firstResponse' | 'nextResponse' | 'resolution';
/** Figures no agent makes: an agent filter leaves them the organisation's (docs/reports.md). */
const NOT_BY_AGENT: ReadonlySet<keyof Figures> = new Set(['opened', 'reopened', 'messagesIn']);
const COUNTS: readonly CountKey[] = ['opened', 'reopened', 'resolved'];
const DURATIONS: readonly DurationKey[] = ['firstResponse', 'nextResponse', 'resolution'];
const TOTALS = ['messagesIn', 'messagesOut'] as const;
const SIDES = ['events', 'conversations', 'customers'] as const;

/**
 * The period's figures as cards: counts with events, unique conversations and unique customers side
 * by side; durations as median and 90th percentile, wall-clock and in business hours; messages in
 * and out. Each card says in one line
 * how its figure is computed (our own words, translated; the server's English stays in the CSV).
 */
export function ReportFigures({ report }: { report: ReportResponse }) {
  const { t } = useTranslation('reports');
  const f = report.figures;
  const explain = (key: keyof Figures) => (
    <p className="reports-explain">
      {t(`explain.${key}`)}
      {report.filters.agentId && NOT_BY_AGENT.has(key) && ` ${t('explain.notByAgent')}`}
    </p>
  );
  return (
    <ReportBlock id="figures" title={t('figures.heading')} table="summary">
      <ul className="reports-cards">
        {COUNTS.map((key) => (
          <CountCard key={key} name={key} count={f[key]} explain={explain(key)} />
        ))}
        {DURATIONS.map((key) => (
          <DurationCard key={key} name={key} duration={f[key]} explain={explain(key)} />
        ))}
        {TOTALS.map((key) => (
          <Card key={key} name={key} explain={explain(key)}>
            <Total value={f[key].value} />
          </Card>
        ))}
      </ul>
    </ReportBlock>
  );
}

function Card({ name, explain, children }: { name: keyof Figures; explain: React.ReactNode; children: React.ReactNode }) {
  const { t } = useTranslation('reports');
  const id = `reports-figure-${name}`;
  return (
    <li className="reports-card" aria-labelledby={id}>
      <h4 id={id}>{t(`figures.${name}`)}</h4>
      {children}
      {explain}
    </li>
  );
}

function Total({ value }: { value: number }) {
  const { formats } = useFormat();
  return <p className="reports-value">{formats.number.format(value)}</p>;
}

function CountCard({ name, count, explain }: { name: CountKey; count: ReportCount; explain: React.ReactNode }) {
  const { t } = useTranslation('reports');
  const { formats } = useFormat();
  return (
    <Card name={name} explain={explain}>
      <dl className="reports-pairs">
        {SIDES.map((k) => (
          <div key={k}>
            <dt>{t(`figures.${k}`)}</dt>
            <dd>{formats.number.format(count[k])}</dd>
          </div>
        ))}
      </dl>
    </Card>
  );
}

function DurationCard({ name, duration, explain }: { name: DurationKey; duration: ReportDuration; explain: React.ReactNode }) {
  const { t } = useTranslation('reports');
  const { language } = useFormat();
  const say = (s: number | null) => (s === null ? t('figures.none') : durationFormat(language)(s));
  return (
    <Card name={name} explain={explain}>
      <dl className="reports-pairs">
        <div>
          <dt>{t('figures.median')}</dt>
          <dd>{say(duration.medianSeconds)}</dd>
        </div>
        <div>
          <dt>{t('figures.p90')}</dt>
          <dd>{say(duration.p90Seconds)}</dd>
        </div>
      </dl>
      <p className="reports-count">{t('figures.over', { count: duration.count })}</p>
      <p className="reports-business">
        {t('figures.businessHours', { median: say(duration.businessHours.medianSeconds), p90: say(duration.businessHours.p90Seconds) })}
      </p>
    </Card>
  );
}
