import type { ApiClient } from '../api/client';
import type { AgentRoutingView } from '../contract/routing';
import { withAgentRouting } from '../routing/overview';
import { routingItem } from '../storage/items';

/** Teams and every agent's availability, read again (on connect, and when told routing changed). */
export async function refreshRouting(api: ApiClient): Promise<void> {
  try {
    await routingItem.setValue(await api.routing.overview());
  } catch {
    /* kept from the last read; read again on the next change or connection */
  }
}

/** One agent's routing state, as a `routing:agent` event or an answer of the server says it. */
export async function applyAgentRouting(agent: AgentRoutingView): Promise<void> {
  const overview = await routingItem.getValue();
  if (overview) await routingItem.setValue(withAgentRouting(overview, agent));
}
