import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TeamView } from '@/lib/contract/routing';
import { useFormat } from '@/lib/hooks/useFormat';
import { sendMessage } from '@/lib/messaging/protocol';
import { intervalsOf, weekdayRows, type WeekdayHours } from '@/lib/routing/weekly-hours';
import type { RunAdminAction } from './useAdminAction';

/** The two ends of a day's hours, each a time input. */
const ENDS = ['from', 'to'] as const;

/** Every IANA zone this browser knows, offered as the admin types (the server checks the one chosen). */
const TIME_ZONES = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

/**
 * A team's business hours: around the clock, or from/to per weekday in the team's time zone, and the
 * auto-reply sent outside them. Holidays set through the API are kept as they are.
 */
export function TeamHours({ team, run }: { team: TeamView; run: RunAdminAction }) {
  const { t } = useTranslation('routing');
  const { formats } = useFormat();
  const zonesId = useId();
  const [aroundTheClock, setAroundTheClock] = useState(!team.hours.enabled);
  const [timeZone, setTimeZone] = useState(team.hours.timeZone);
  const [rows, setRows] = useState<WeekdayHours[]>(() => weekdayRows(team.hours.intervals));
  const [autoReply, setAutoReply] = useState(team.hours.autoReply ?? '');
  // 1 January 2024 was a Monday: ISO weekday n is 2024-01-n, at noon to stay on that day anywhere.
  const dayName = (weekday: number) => formats.weekday.format(new Date(2024, 0, weekday, 12));
  const edit = (weekday: number, change: Partial<WeekdayHours>) => setRows((rs) => rs.map((r) => (r.weekday === weekday ? { ...r, ...change } : r)));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const hours = { enabled: !aroundTheClock, timeZone, intervals: intervalsOf(rows), holidays: team.hours.holidays, autoReply: autoReply.trim() || null };
    void run(sendMessage('admin:setTeamHours', { teamId: team.id, hours }));
  };
  return (
    <form className="team-hours" aria-label={t('teams.hours', { team: team.name })} onSubmit={submit}>
      <fieldset>
        <legend>{t('teams.hours', { team: team.name })}</legend>
        <label className="inline">
          <input type="checkbox" checked={aroundTheClock} onChange={(e) => setAroundTheClock(e.target.checked)} />
          {t('teams.aroundTheClock')}
        </label>
        {!aroundTheClock && (
          <>
            <label>
              {t('teams.timeZone')}
              <input value={timeZone} required list={zonesId} onChange={(e) => setTimeZone(e.target.value)} />
              <datalist id={zonesId}>
                {TIME_ZONES.map((z) => (
                  <option key={z} value={z} />
                ))}
              </datalist>
            </label>
            <div className="weekdays">
              {rows.map((r) => (
                <div key={r.weekday} className="weekday" data-weekday={r.weekday}>
                  <label className="inline">
                    <input
                      type="checkbox"
                      checked={r.open}
                      aria-label={t('teams.open', { day: dayName(r.weekday) })}
                      onChange={(e) => edit(r.weekday, { open: e.target.checked })}
                    />
                    {dayName(r.weekday)}
                  </label>
                  {ENDS.map((end) => (
                    <input
                      key={end}
                      type="time"
                      aria-label={t(`teams.${end}`, { day: dayName(r.weekday) })}
                      value={r[end]}
                      disabled={!r.open}
                      required
                      onChange={(e) => edit(r.weekday, { [end]: e.target.value })}
                    />
                  ))}
                </div>
              ))}
            </div>
          </>
        )}
        <label>
          {t('teams.autoReply')}
          <textarea value={autoReply} maxLength={1024} onChange={(e) => setAutoReply(e.target.value)} />
        </label>
        <button type="submit">{t('teams.save')}</button>
      </fieldset>
    </form>
  );
}
