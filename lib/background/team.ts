import type { ApiClient } from '../api/client';
import type { TeamArea } from '../contract/events';
import { adminItem, agentItem, teamItem } from '../storage/items';
import { refreshRouting } from './routing';

/** Admins: the admin view's data, read again (after a change, or when told the team changed). */
export async function refreshAdmin(api: ApiClient): Promise<void> {
  const me = await agentItem.getValue();
  if (me?.role !== 'admin') return adminItem.setValue(null);
  await adminItem.setValue(await api.admin.overview());
}

/**
 * The team changed (told by the server), or the socket (re)connected: names, canned replies, my
 * own role, routing (teams and availability), and the admin view when one has been opened (its page asks for it on opening).
 */
export async function teamChanged(api: ApiClient, area?: TeamArea): Promise<void> {
  // A message waiting for a number not set up, or the CRM connection, concern the admin view only.
  const adminOnly = area === 'unrouted' || area === 'crm';
  // Teams, policies, hours: routing's overview only. Agents coming or going change it too.
  if (area === 'routing') return refreshRouting(api);
  if (area === undefined || area === 'agents') await refreshRouting(api);
  if (!adminOnly) await refreshTeam(api);
  try {
    if (!adminOnly) await agentItem.setValue(await api.me());
    if (await adminItem.getValue()) await refreshAdmin(api);
  } catch {
    /* read again on the next change or connection */
  }
}

/** The organisation's agents and canned replies (names for assignment, `/` in the composer). */
async function refreshTeam(api: ApiClient): Promise<void> {
  try {
    const [{ agents }, { cannedReplies }] = await Promise.all([api.agents(), api.cannedReplies()]);
    await teamItem.setValue({ agents, cannedReplies });
  } catch {
    /* kept from the last connection; tried again on the next */
  }
}
