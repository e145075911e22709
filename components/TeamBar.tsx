import { memo, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgentPresence } from '@/lib/contract/events';
import { useStorageItem } from '@/lib/hooks/useStorageItem';
import { availabilityIndex } from '@/lib/routing/overview';
import { routingItem } from '@/lib/storage/items';

/**
 * How many colleagues the bar names (two lines at 320 px); the rest are a count. An organisation of a thousand agents
 * would otherwise fill the panel with names (and cost a render of each on every change).
 */
export const TEAM_BAR_NAMES = 8;

/**
 * Colleagues with presence dots (online, away, offline) and, when not available, what they set
 * (busy, away). Renders only when presence or availability change, never for a new message.
 */
export const TeamBar = memo(function TeamBar({ presence, me }: { presence: Record<string, AgentPresence>; me: string }) {
  const { t } = useTranslation('inbox');
  const { t: tr } = useTranslation('routing');
  const routing = useStorageItem(routingItem);
  const availability = useMemo(() => availabilityIndex(routing), [routing]);
  const others = useMemo(() => Object.values(presence).filter((a) => a.agentId !== me && a.state !== 'offline'), [presence, me]);
  if (others.length === 0) return null;
  const more = others.length - TEAM_BAR_NAMES;
  return (
    <ul className="team" aria-label={t('team.label')}>
      {others.slice(0, TEAM_BAR_NAMES).map((a) => {
        const set = availability(a.agentId);
        return (
          <li key={a.agentId} data-presence={a.state} data-availability={set ?? undefined} aria-label={t(`team.presence.${a.state}`, { name: a.displayName })}>
            <span className={`presence presence-${a.state}`} aria-hidden="true" />
            {a.displayName}
            {set && set !== 'available' && (
              <span
                className={`availability-tag availability-${set}`}
                title={tr('availability.colleague', { name: a.displayName, availability: tr(`availability.${set}`) })}
              >
                {tr(`availability.${set}`)}
              </span>
            )}
          </li>
        );
      })}
      {more > 0 && (
        <li className="team-more" aria-label={t('team.more', { count: more })}>
          {t('team.moreShort', { count: more })}
        </li>
      )}
    </ul>
  );
});
