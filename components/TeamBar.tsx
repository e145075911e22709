import type { AgentPresence } from '@/lib/contract/events';

/** Colleagues with presence dots: online, away, offline. */
export function TeamBar({ agents, me }: { agents: AgentPresence[]; me: string }) {
  const others = agents.filter((a) => a.agentId !== me && a.state !== 'offline');
  if (others.length === 0) return null;
  return (
    <ul className="team" aria-label="Team">
      {others.map((a) => (
        <li key={a.agentId} data-presence={a.state} aria-label={`${a.displayName}: ${a.state}`}>
          <span className={`presence presence-${a.state}`} aria-hidden="true" />
          {a.displayName}
        </li>
      ))}
    </ul>
  );
}
