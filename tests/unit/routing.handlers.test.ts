import { describe, expect, it } from 'vitest';
import type { ApiClient } from '@/lib/api/client';
import { conversationStatusHandlers } from '@/lib/background/handlers/conversation-status';
import { routingHandlers } from '@/lib/background/handlers/routing';
import { applyAgentRouting } from '@/lib/background/routing';
import type { RoutingOverview, TeamView } from '@/lib/contract/routing';
import { addConversation } from '@/lib/inbox/state';
import { updateInbox } from '@/lib/inbox/store';
import { routingItem } from '@/lib/storage/items';
import { conversation } from '../support/views';

const connections =
  <T>(parts: T) =>
  async () =>
    parts;

const team: TeamView = {
  id: 't1',
  name: 'Support',
  assignment: 'round_robin',
  defaultCapacity: 5,
  handBackAfterMinutes: null,
  members: [],
  channelIds: [],
  hours: { enabled: false, timeZone: 'UTC', intervals: [], holidays: [], autoReply: null },
  sla: null,
  queued: 0,
};
const overview = (over: Partial<RoutingOverview> = {}): RoutingOverview => ({
  teams: [],
  agents: [{ agentId: 'me', availability: 'available', connected: true, openLoad: 0 }],
  ...over,
});

describe('routing requests in the background', () => {
  it('setting one’s availability goes to the server and its answer is what the side panel shows', async () => {
    await routingItem.setValue(overview());
    const sent: string[] = [];
    const api = {
      routing: {
        setAvailability: async (a: string) => {
          sent.push(a);
          return { agent: { agentId: 'me', availability: a, connected: true, openLoad: 0 } };
        },
      },
    } as unknown as ApiClient;
    await routingHandlers(connections({ api }))['routing:setAvailability']({ availability: 'away' });
    expect(sent).toEqual(['away']);
    expect((await routingItem.getValue())?.agents).toEqual([{ agentId: 'me', availability: 'away', connected: true, openLoad: 0 }]);
  });

  it('a colleague’s routing:agent event updates them and leaves the others', async () => {
    await routingItem.setValue(overview());
    await applyAgentRouting({ agentId: 'bob', availability: 'busy', connected: true, openLoad: 2 });
    expect((await routingItem.getValue())?.agents.map((a) => [a.agentId, a.availability])).toEqual([
      ['me', 'available'],
      ['bob', 'busy'],
    ]);
  });

  it('an admin change is followed by the overview read again, also when the server refuses it', async () => {
    await routingItem.setValue(overview());
    let reads = 0;
    const api = {
      routing: {
        overview: async () => (++reads, overview({ teams: [team] })),
        createTeam: async () => ({ id: 't1' }),
        deleteTeam: async () => {
          throw new Error('team not found');
        },
      },
    } as unknown as ApiClient;
    const handlers = routingHandlers(connections({ api }));
    expect(await handlers['admin:createTeam']({ name: 'Support', assignment: 'round_robin', defaultCapacity: 5, handBackAfterMinutes: null })).toEqual({
      id: 't1',
    });
    expect((await routingItem.getValue())?.teams.map((t) => t.name)).toEqual(['Support']);
    await expect(handlers['admin:deleteTeam']({ teamId: 't1' })).rejects.toThrow('team not found');
    expect(reads).toBe(2);
  });

  it('an assignment above capacity is made and answers with the server’s warning', async () => {
    await updateInbox((s) => addConversation(s, conversation('c1')));
    const warning = { code: 'over_capacity' as const, message: 'above capacity', openLoad: 6, capacity: 5 };
    const api = { assign: async () => ({ conversation: conversation('c1', { assigneeId: 'bob', version: 2 }), warning }) } as unknown as ApiClient;
    const handlers = conversationStatusHandlers(connections({ api }));
    expect(await handlers['inbox:assign']({ conversationId: 'c1', assigneeId: 'bob' })).toEqual({ warning });
  });
});
