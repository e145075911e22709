import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { REPORT_MAX_DAYS } from '@/lib/contract/reports';
import { useStorageItem } from '@/lib/hooks/useStorageItem';
import { dayIn, daysIn, PRESETS, presetRange, type DayRange, type Preset } from '@/lib/reports/period';
import { sendMessage, unwrap } from '@/lib/messaging/protocol';
import { routingItem, teamItem } from '@/lib/storage/items';

export interface FilterValues {
  preset: Preset;
  range: DayRange;
  /** A channel's id, or '' for every channel. */
  channel: string;
  /** An agent's id, or '' for every agent. */
  agent: string;
  /** A routing team's id, or '' for every team. */
  team: string;
}

/**
 * The period (a preset or chosen days), the time zone it is counted in, and the channel, team and
 * agent filters. Channels are asked of the server (a lead has no admin overview); the agents come
 * from the team list every agent has, the routing teams from the routing overview the background
 * keeps (`routingItem`). The channel filter shows when there is more than one channel, the team
 * filter when there is a team.
 */
export function ReportFilters({ values, timeZone, onChange }: { values: FilterValues; timeZone: string; onChange: (v: FilterValues) => void }) {
  const { t } = useTranslation('reports');
  const team = useStorageItem(teamItem);
  const teams = useStorageItem(routingItem)?.teams ?? [];
  const channels = useChannels();
  const [custom, setCustom] = useState<DayRange>(values.range);
  const customError =
    custom.first > custom.last ? t('filters.orderError') : daysIn(custom) > REPORT_MAX_DAYS ? t('filters.lengthError', { count: REPORT_MAX_DAYS }) : null;
  const choosePreset = (preset: Preset) => {
    if (preset === 'custom') onChange({ ...values, preset, range: custom });
    else onChange({ ...values, preset, range: presetRange(preset, dayIn(Date.now(), timeZone)) });
  };
  const setDay = (key: keyof DayRange, day: string) => {
    if (!day) return;
    const next = { ...custom, [key]: day };
    setCustom(next);
    if (next.first <= next.last && daysIn(next) <= REPORT_MAX_DAYS) onChange({ ...values, range: next });
  };
  return (
    <form className="reports-filters" aria-label={t('filters.label')} onSubmit={(e) => e.preventDefault()}>
      <label>
        {t('filters.period')}
        <select value={values.preset} onChange={(e) => choosePreset(e.target.value as Preset)}>
          {PRESETS.map((p) => (
            <option key={p} value={p}>
              {t(`filters.presets.${p}`)}
            </option>
          ))}
        </select>
      </label>
      {values.preset === 'custom' && (
        <>
          <label>
            {t('filters.from')}
            <input type="date" value={custom.first} required onChange={(e) => setDay('first', e.target.value)} />
          </label>
          <label>
            {t('filters.to')}
            <input type="date" value={custom.last} required onChange={(e) => setDay('last', e.target.value)} />
          </label>
        </>
      )}
      {channels.length > 1 && (
        <label>
          {t('filters.channel')}
          <select value={values.channel} onChange={(e) => onChange({ ...values, channel: e.target.value })}>
            <option value="">{t('filters.allChannels')}</option>
            {channels.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {teams.length > 0 && (
        <label>
          {t('filters.team')}
          <select value={values.team} onChange={(e) => onChange({ ...values, team: e.target.value })}>
            <option value="">{t('filters.allTeams')}</option>
            {teams.map((tm) => (
              <option key={tm.id} value={tm.id}>
                {tm.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        {t('filters.agent')}
        <select value={values.agent} onChange={(e) => onChange({ ...values, agent: e.target.value })}>
          <option value="">{t('filters.allAgents')}</option>
          {(team?.agents ?? []).map((a) => (
            <option key={a.id} value={a.id}>
              {a.displayName}
            </option>
          ))}
        </select>
      </label>
      <p className="reports-zone">{t('filters.timeZone', { timeZone })}</p>
      {values.preset === 'custom' && customError && (
        <p role="alert" className="reports-filter-error">
          {customError}
        </p>
      )}
    </form>
  );
}

/** The organisation's channels, once; none while asking or when the server does not answer. */
function useChannels(): Array<{ id: string; name: string }> {
  const [channels, setChannels] = useState<Array<{ id: string; name: string }>>([]);
  useEffect(() => {
    let current = true;
    unwrap(sendMessage('reports:channels')).then(
      (r) => current && setChannels(r.channels),
      () => undefined, // the filter stays hidden; the report itself says what went wrong
    );
    return () => {
      current = false;
    };
  }, []);
  return channels;
}
