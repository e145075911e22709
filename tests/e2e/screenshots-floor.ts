import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { api, type TestOrg, type TestStack } from '../support/stack';

/**
 * The side panel's floor for admins and leads, its strip open: Alice's team (Support: the first
 * number's, one SLA clock past due and one due in 10 minutes) before Billing (Bob's alone), though
 * Billing comes first by name; English at both widths and themes, Arabic at 320 px.
 */
export async function floorShots(o: {
  stack: TestStack;
  org: TestOrg;
  me: { id: string; token: string };
  bob: { id: string };
  panel: Page;
  idOf: (phone: string) => Promise<string>;
  bothWidthsBothThemes: (name: string) => Promise<void>;
  out: string;
  narrow: { width: number; height: number };
  wide: { width: number; height: number };
}) {
  const { stack, org, me, bob, panel } = o;
  // Support (both agents, the first number's team) is the routing screenshots'; Billing is Bob's alone.
  const support = (await stack.db.query<{ id: string }>("select id from teams where organisation_id = $1 and name = 'Support'", [org.id])).rows[0]!.id;
  const billing = (await api<{ id: string }>(stack, me.token, '/api/admin/teams', 'POST', { name: 'Billing', assignment: 'off', defaultCapacity: 3 })).body.id;
  await api(stack, me.token, `/api/admin/teams/${billing}/members/${bob.id}`, 'PUT', {});
  for (const [minutes, phone] of [
    [-5, '+447700900222'],
    [10, '+14155550134'],
  ] as const)
    await stack.db.query(
      `insert into sla_clocks (conversation_id, kind, cycle, organisation_id, team_id, target_minutes, started_at, due_at)
       values ($1, 'first_response', 9, $2, $3, 30, now() - interval '30 minutes', now() + make_interval(mins => $4))`,
      [await o.idOf(phone), org.id, support, minutes],
    );
  const back = panel.getByRole('button', { name: 'Back to conversations' });
  if (await back.isVisible()) await back.click();
  await panel.getByRole('button', { name: 'Floor', exact: true }).click();
  await panel.locator('[data-team="' + support + '"] [data-count="slaDueSoon"] dd', { hasText: '1' }).waitFor({ timeout: 10_000 });
  await o.bothWidthsBothThemes('floor');
  await panel.evaluate(() => chrome.storage.local.set({ language: 'ar' }));
  await panel.getByRole('button', { name: 'الوضع', exact: true }).waitFor();
  await panel.setViewportSize(o.narrow);
  for (const scheme of ['light', 'dark'] as const) {
    await panel.emulateMedia({ colorScheme: scheme });
    await panel.screenshot({ path: join(o.out, `floor-arabic-320px-${scheme}.png`) });
  }
  await panel.setViewportSize(o.wide);
  await panel.evaluate(() => chrome.storage.local.set({ language: 'auto' }));
}
