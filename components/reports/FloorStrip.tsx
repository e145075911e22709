import { ChevronDown, ChevronRight } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useFloor } from '@/lib/hooks/useFloor';
import { useFormat } from '@/lib/hooks/useFormat';
import { durationFormat } from '@/lib/reports/durations';
import { compactFloor, type CompactFloorTeam } from '@/lib/reports/floor-compact';

const EXPANDED_KEY = 'switchboard:floor-strip';

/**
 * The side panel's compact floor for admins and leads (docs/reports.md, "Floor"): a strip under the
 * status bar that opens to one line per team (the lead's own teams first) with its open and queued
 * conversations, the longest wait, the SLA clocks breached and due soon, and the agents available.
 * Live only while open: collapsing it (or closing the panel) lets the background stop reading.
 */
export function FloorStrip({ me }: { me: string }) {
  const { t } = useTranslation('reports');
  const [expanded, setExpanded] = useState(() => localStorage.getItem(EXPANDED_KEY) === 'open');
  const { floor, error } = useFloor(expanded);
  const toggle = () => {
    localStorage.setItem(EXPANDED_KEY, expanded ? 'closed' : 'open');
    setExpanded(!expanded);
  };
  const Chevron = expanded ? ChevronDown : ChevronRight;
  return (
    <section className="floor-strip" aria-labelledby="floor-strip-heading">
      <h2 id="floor-strip-heading" className="floor-strip-heading">
        <button type="button" aria-expanded={expanded} aria-controls="floor-strip-body" onClick={toggle}>
          <Chevron aria-hidden="true" className="floor-strip-chevron" />
          {t('floor.strip.title')}
        </button>
      </h2>
      {expanded && (
        <div id="floor-strip-body" className="floor-strip-body" tabIndex={0} role="group" aria-labelledby="floor-strip-heading">
          {error ? (
            <p role="alert" className="floor-strip-note">
              {t('state.error', { message: error })}
            </p>
          ) : !floor ? (
            <p className="floor-strip-note">{t('floor.strip.loading')}</p>
          ) : floor.teams.length === 0 ? (
            <p className="floor-strip-note">{t('floor.none')}</p>
          ) : (
            <ul className="floor-strip-teams">
              {compactFloor(floor.teams, me).map((team) => (
                <FloorLine key={team.teamId ?? ''} team={team} />
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}

function FloorLine({ team }: { team: CompactFloorTeam }) {
  const { t } = useTranslation('reports');
  const { formats, language } = useFormat();
  const n = (v: number) => formats.number.format(v);
  const figures: Array<[key: string, value: string, alarm?: boolean]> = [
    ['open', n(team.open)],
    ['queued', n(team.queued)],
    ['longestWait', team.longestWaitSeconds === null ? t('figures.none') : durationFormat(language)(team.longestWaitSeconds)],
    ['slaBreached', n(team.slaBreached), team.slaBreached > 0],
    ['slaDueSoon', n(team.slaDueSoon)],
    ['available', t('floor.strip.availableOf', { available: n(team.available), agents: n(team.agentCount) })],
  ];
  return (
    <li className="floor-strip-team" data-team={team.teamId ?? 'none'} data-mine={team.mine || undefined}>
      <span className="floor-strip-name">
        {team.name ?? t('floor.noTeam')}
        {team.mine && <span className="floor-strip-mine">{t('floor.strip.mine')}</span>}
      </span>
      <dl className="floor-strip-figures">
        {figures.map(([key, value, alarm]) => (
          <div key={key} data-count={key} className={alarm ? 'floor-breached' : undefined}>
            <dt>{t(`floor.strip.${key}` as 'floor.strip.open')}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </li>
  );
}
