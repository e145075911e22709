import { useTranslation } from 'react-i18next';
import type { FloorAgent, FloorTeam } from '@/lib/contract/reports';
import { useFloor } from '@/lib/hooks/useFloor';
import { useFormat } from '@/lib/hooks/useFormat';
import { durationFormat } from '@/lib/reports/durations';

const AVAILABILITY_ORDER: Record<FloorAgent['availability'], number> = { available: 0, busy: 1, away: 2 };
const COUNTS = ['open', 'unassigned', 'queued', 'snoozed'] as const;

/**
 * The live floor at the top of Reports (docs/reports.md, "Floor"): per team, the conversations
 * open, unassigned, queued and snoozed, the longest current wait, the SLA clocks breached (red) and
 * due within 15 minutes, and the agents by availability with their load against capacity. The
 * background keeps it current as the server tells of changes; the page reads nothing itself.
 */
export function Floor() {
  const { t } = useTranslation('reports');
  const { floor, error } = useFloor(true);
  return (
    <section className="reports-block floor" aria-labelledby="reports-floor-heading">
      <h3 id="reports-floor-heading">{t('floor.heading')}</h3>
      <p className="reports-explain">{t('floor.explain')}</p>
      {error && (
        <p role="alert" className="reports-state">
          {t('state.error', { message: error })}
        </p>
      )}
      {floor && (floor.teams.length === 0 ? <p>{t('floor.none')}</p> : floor.teams.map((team) => <FloorTeamBlock key={team.teamId ?? ''} team={team} />))}
    </section>
  );
}

function FloorTeamBlock({ team }: { team: FloorTeam }) {
  const { t } = useTranslation('reports');
  const { formats, language } = useFormat();
  const name = team.name ?? t('floor.noTeam');
  const id = `floor-${team.teamId ?? 'none'}`;
  const agents = [...team.agents].sort(
    (a, b) => AVAILABILITY_ORDER[a.availability] - AVAILABILITY_ORDER[b.availability] || formats.collator.compare(a.name, b.name),
  );
  const n = (v: number) => formats.number.format(v);
  return (
    <section className="floor-team" aria-labelledby={id} data-team={team.teamId ?? 'none'}>
      <h4 id={id}>{name}</h4>
      <dl className="reports-pairs floor-counts">
        {COUNTS.map((k) => (
          <div key={k} data-count={k}>
            <dt>{t(`floor.${k}`)}</dt>
            <dd>{n(team[k])}</dd>
          </div>
        ))}
        <div data-count="longestWait">
          <dt>{t('floor.longestWait')}</dt>
          <dd>{team.longestWaitSeconds === null ? t('figures.none') : durationFormat(language)(team.longestWaitSeconds)}</dd>
        </div>
        <div data-count="slaBreached" className={team.slaBreached > 0 ? 'floor-breached' : undefined}>
          <dt>{t('floor.slaBreached')}</dt>
          <dd>{n(team.slaBreached)}</dd>
        </div>
        <div data-count="slaDueSoon">
          <dt>{t('floor.slaDueSoon')}</dt>
          <dd>{n(team.slaDueSoon)}</dd>
        </div>
      </dl>
      {agents.length === 0 ? (
        <p className="reports-explain">{t('floor.noAgents')}</p>
      ) : (
        <div className="reports-scroll" tabIndex={0} role="group" aria-labelledby={id}>
          <table className="reports-table floor-agents">
            <caption className="visually-hidden">{t('floor.agentsOf', { team: name })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('agents.agent')}</th>
                <th scope="col">{t('floor.availability')}</th>
                <th scope="col">{t('floor.connection')}</th>
                <th scope="col">{t('floor.load')}</th>
              </tr>
            </thead>
            <tbody>
              {agents.map((a) => (
                <tr key={a.agentId} data-agent={a.agentId} data-availability={a.availability}>
                  <th scope="row">{a.name}</th>
                  <td>{t(`floor.availabilities.${a.availability}`)}</td>
                  <td>{a.connected ? t('floor.connected') : t('floor.offline')}</td>
                  <td>{a.capacity === null ? n(a.openLoad) : t('floor.loadOf', { load: n(a.openLoad), capacity: n(a.capacity) })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
