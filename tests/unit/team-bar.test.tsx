import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { TEAM_BAR_NAMES, TeamBar } from '@/components/TeamBar';
import type { AgentPresence } from '@/lib/contract/events';
import { availabilityIndex, availabilityOf } from '@/lib/routing/overview';
import { inLanguage } from '../support/i18n';

const colleagues = (n: number): Record<string, AgentPresence> =>
  Object.fromEntries(
    Array.from({ length: n }, (_, i) => [`a${i}`, { agentId: `a${i}`, displayName: `Agent ${i}`, state: i % 2 ? 'away' : 'online' } as AgentPresence]),
  );

describe('The team bar', () => {
  afterEach(cleanup);

  it('names a few colleagues and counts the rest, in words for a screen reader', () => {
    render(<TeamBar presence={colleagues(1001)} me="a0" />, { wrapper: inLanguage('en') });
    const bar = screen.getByRole('list', { name: 'Team' });
    expect(bar.querySelectorAll('li[data-presence]')).toHaveLength(TEAM_BAR_NAMES);
    expect(screen.getByText('Agent 1')).toBeTruthy();
    expect(screen.queryByText('Agent 0')).toBeNull(); // me
    const more = screen.getByRole('listitem', { name: `${1000 - TEAM_BAR_NAMES} more colleagues online` });
    expect(more.textContent).toBe(`+${1000 - TEAM_BAR_NAMES}`);
  });

  it('has no count when everyone fits, and nothing at all when alone', () => {
    const { rerender, container } = render(<TeamBar presence={colleagues(3)} me="a0" />, { wrapper: inLanguage('es') });
    expect(container.querySelectorAll('li')).toHaveLength(2);
    rerender(<TeamBar presence={colleagues(1)} me="a0" />);
    expect(container.querySelector('ul')).toBeNull();
  });

  it('reads availability from one index, the same as one agent at a time', () => {
    const overview = {
      agents: [
        { agentId: 'a1', availability: 'busy' },
        { agentId: 'a2', availability: 'away' },
      ],
    } as never;
    const index = availabilityIndex(overview);
    for (const id of ['a1', 'a2', 'a3']) expect(index(id)).toBe(availabilityOf(overview, id));
    expect(index('a3')).toBe('available');
    expect(availabilityIndex(null)('a1')).toBeNull();
  });
});
