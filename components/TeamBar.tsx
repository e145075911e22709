import { useTranslation } from 'react-i18next';
import type { AgentPresence } from '@/lib/contract/events';

/** Colleagues with presence dots: online, away, offline. */
export function TeamBar({ agents, me }: { agents: AgentPresence[]; me: string }) {
  const { t } = useTranslation('inbox');
  const others = agents.filter((a) => a.agentId !== me && a.state !== 'offline');
  if (others.length === 0) return null;
  return (
    <ul className="team" aria-label={t('team.label')}>
      {others.map((a) => (
        <li key={a.agentId} data-presence={a.state} aria-label={t(`team.presence.${a.state}`, { name: a.displayName })}>
          <span className={`presence presence-${a.state}`} aria-hidden="true" />
          {a.displayName}
        </li>
      ))}
    </ul>
  );
}
