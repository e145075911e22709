import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ReportResponse } from '@/lib/contract/reports';
import { useFormat } from '@/lib/hooks/useFormat';
import { ReportBlock } from './ReportBlock';

/** What the chart draws per day, each in a colour of the design tokens, counts on the left axis and messages on the right. */
const SERIES = [
  { key: 'opened', colour: '--accent', scale: 'count' },
  { key: 'resolved', colour: '--read', scale: 'count' },
  { key: 'messagesIn', colour: '--warning', scale: 'messages' },
  { key: 'messagesOut', colour: '--muted', scale: 'messages' },
] as const;
const HEIGHT = 220;
const WHOLE = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000];

/**
 * Opened, resolved and messages per local day, drawn by uPlot on a canvas in the theme's colours
 * (read from the CSS variables, drawn again when the theme changes). The canvas is hidden from
 * screen readers: a visually hidden table carries the same numbers.
 */
export function DailyChart({ report }: { report: ReportResponse }) {
  const { t } = useTranslation('reports');
  const { formats, language } = useFormat();
  const rows = report.daily.rows;
  const dayLabel = new Intl.DateTimeFormat(language, { day: 'numeric', month: 'short', timeZone: 'UTC' });
  const labels = rows.map((r) => dayLabel.format(Date.parse(`${r.day}T12:00:00Z`)));
  const names = SERIES.map((s) => t(`daily.${s.key}`));
  const box = useRef<HTMLDivElement>(null);
  useChart(
    box,
    [t('daily.countAxis'), t('daily.messagesAxis')],
    rows.map((_, i) => i),
    SERIES.map((s) => rows.map((r) => r[s.key])),
    labels,
    names,
  );
  return (
    <ReportBlock id="daily" title={t('daily.heading')} table="daily" explain={t('explain.daily')}>
      <ul className="reports-legend" aria-hidden="true">
        {SERIES.map((s, i) => (
          <li key={s.key}>
            <span className="reports-swatch" style={{ background: `var(${s.colour})` }} />
            {names[i]}
          </li>
        ))}
      </ul>
      <div className="reports-chart" ref={box} aria-hidden="true" />
      <table className="visually-hidden">
        <caption>{t('daily.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('daily.day')}</th>
            {names.map((n) => (
              <th key={n} scope="col">
                {n}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={r.day}>
              <th scope="row">{labels[i]}</th>
              {SERIES.map((s) => (
                <td key={s.key}>{formats.number.format(r[s.key])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </ReportBlock>
  );
}

/** Draws the chart into the box, sized to it; again when the theme changes. */
function useChart(box: React.RefObject<HTMLDivElement | null>, axisNames: [string, string], xs: number[], ys: number[][], labels: string[], names: string[]) {
  const key = JSON.stringify([ys, labels, names, axisNames]);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let chart: uPlot | null = null;
    const draw = () => {
      chart?.destroy();
      const css = getComputedStyle(el);
      const token = (name: string) => css.getPropertyValue(name).trim();
      const font = `${token('--text-xs')} ${token('--font-sans')}`;
      // Sides: 2 bottom, 3 left, 1 right. Counts step by whole numbers.
      const axis = (scale: string, side: 1 | 2 | 3, label?: string): uPlot.Axis => ({
        scale,
        side,
        label,
        labelFont: font,
        labelSize: label ? 20 : 0,
        stroke: token('--muted'),
        grid: { show: side === 3, stroke: token('--line'), width: 1 },
        ticks: { show: false },
        incrs: WHOLE,
        font,
      });
      chart = new uPlot(
        {
          width: el.clientWidth,
          height: HEIGHT,
          legend: { show: false },
          cursor: { show: false },
          scales: {
            x: { time: false },
            count: { range: (_u, _min, max) => [0, Math.max(1, max)] },
            messages: { range: (_u, _min, max) => [0, Math.max(1, max)] },
          },
          axes: [
            { ...axis('x', 2), incrs: [1, 2, 7, 14, 28], space: 56, values: (_u, splits) => splits.map((i) => labels[i] ?? '') },
            axis('count', 3, axisNames[0]),
            axis('messages', 1, axisNames[1]),
          ],
          series: [
            {},
            ...SERIES.map((s, i) => ({ label: names[i], scale: s.scale, stroke: token(s.colour), width: 2, points: { show: xs.length <= 31, size: 5 } })),
          ],
        },
        [xs, ...ys],
        el,
      );
    };
    draw();
    const resize = new ResizeObserver(() => chart?.setSize({ width: el.clientWidth, height: HEIGHT }));
    resize.observe(el);
    const scheme = matchMedia('(prefers-color-scheme: dark)');
    scheme.addEventListener('change', draw);
    return () => {
      resize.disconnect();
      scheme.removeEventListener('change', draw);
      chart?.destroy();
    };
    // `key` stands for the data and labels (new arrays each render).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
}
