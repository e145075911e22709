import { useTranslation } from 'react-i18next';
import type { AgentPresence } from '@/lib/contract/events';
import { useStorageItem } from '@/lib/hooks/useStorageItem';
import { availabilityOf } from '@/lib/routing/overview';
import { routingItem } from '@/lib/storage/items';

/** Colleagues with presence dots (online, away, offline) and, when not available, what they set (busy, away). */
export function TeamBar({ agents, me }: { agents: AgentPresence[]; me: string }) {
  const { t } = useTranslation('inbox');
  const { t: tr } = useTranslation('routing');
  const routing = useStorageItem(routingItem);
  const others = agents.filter((a) => a.agentId !== me && a.state !== 'offline');
  if (others.length === 0) return null;
  return (
    <ul className="team" aria-label={t('team.label')}>
      {others.map((a) => {
        const availability = availabilityOf(routing, a.agentId);
        return (
          <li
            key={a.agentId}
            data-presence={a.state}
            data-availability={availability ?? undefined}
            aria-label={t(`team.presence.${a.state}`, { name: a.displayName })}
          >
            <span className={`presence presence-${a.state}`} aria-hidden="true" />
            {a.displayName}
            {availability && availability !== 'available' && (
              <span
                className={`availability-tag availability-${availability}`}
                title={tr('availability.colleague', { name: a.displayName, availability: tr(`availability.${availability}`) })}
              >
                {tr(`availability.${availability}`)}
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}
