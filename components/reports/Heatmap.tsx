import { useTranslation } from 'react-i18next';
import type { ReportResponse } from '@/lib/contract/reports';
import { useFormat } from '@/lib/hooks/useFormat';
import { ReportBlock, ScrollTable } from './ReportBlock';

const HOURS = Array.from({ length: 24 }, (_, h) => h);
const DAYS = [1, 2, 3, 4, 5, 6, 7];
/** A Monday (5 January 2026), to name ISO weekdays 1 … 7 in the language. */
const A_MONDAY = Date.UTC(2026, 0, 5, 12);

/**
 * Customers' messages by day of week and local hour, summed over the period: a real table (row and
 * column headers, the number in each cell, so a screen reader reads "Monday, 09: 12"), coloured by
 * its share of the busiest hour.
 */
export function Heatmap({ report }: { report: ReportResponse }) {
  const { t } = useTranslation('reports');
  const { formats, language } = useFormat();
  const count = new Map(report.heatmap.rows.map((c) => [`${c.dayOfWeek}:${c.hour}`, c.messagesIn]));
  const max = Math.max(1, ...count.values());
  const weekday = new Intl.DateTimeFormat(language, { weekday: 'long', timeZone: 'UTC' });
  const weekdayShort = new Intl.DateTimeFormat(language, { weekday: 'short', timeZone: 'UTC' });
  const hour = new Intl.NumberFormat(language, { minimumIntegerDigits: 2 });
  return (
    <ReportBlock id="heatmap" title={t('heatmap.heading')} table="heatmap" explain={t('explain.heatmap')}>
      <ScrollTable labelledBy="reports-heatmap-heading" caption={t('heatmap.caption')} className="reports-heatmap">
        <thead>
          <tr>
            <td />
            {HOURS.map((h) => (
              <th key={h} scope="col" abbr={t('heatmap.hour', { hour: hour.format(h) })}>
                {hour.format(h)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {DAYS.map((d) => {
            const date = A_MONDAY + (d - 1) * 86_400_000;
            return (
              <tr key={d}>
                <th scope="row" abbr={weekday.format(date)}>
                  {weekdayShort.format(date)}
                </th>
                {HOURS.map((h) => {
                  const n = count.get(`${d}:${h}`) ?? 0;
                  return (
                    <td key={h} style={{ '--heat': n / max } as React.CSSProperties} data-level={n === 0 ? 0 : Math.ceil((n / max) * 4)}>
                      {formats.number.format(n)}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </ScrollTable>
    </ReportBlock>
  );
}
