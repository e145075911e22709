import { describe, expect, it } from 'vitest';
import { createOrganisation } from '../../server/admin/commands';
import { DEMO_AGENTS, DEMO_CONTACTS, DEMO_ORGANISATION } from '../../server/dev/demo/contacts';
import { seedDemo } from '../../server/dev/demo/seed';
import { useTestStack } from '../support/fixture';
import { signIn } from '../support/stack';

/**
 * `npm start` stopped at any moment (Ctrl+C during the first start) is finished by the next one:
 * the demo seed looks before each write, and a password local.json never got is set anew.
 */
describe('The demo seed, resumed after an interrupted start', () => {
  const ctx = useTestStack();
  const seed = (existing?: Awaited<ReturnType<typeof seedDemo>>) =>
    seedDemo(ctx.stack.db, {
      supabase: { url: ctx.stack.config.supabaseUrl, serviceRoleKey: ctx.stack.local!.serviceRoleKey },
      webhookUrl: `${ctx.stack.serverUrl}/api/webhooks/twilio`,
      signatureUrl: `${ctx.stack.config.publicUrl}/api/webhooks/twilio`,
      twilio: ctx.stack.config.twilio,
      existing,
    });
  const counts = async () =>
    (
      await ctx.stack.db.query<{ orgs: number; conversations: number; agents: number }>(
        `select (select count(*)::int from organisations where name = $1) as orgs,
                (select count(*)::int from conversations c join organisations o on o.id = c.organisation_id where o.name = $1) as conversations,
                (select count(*)::int from agents a join organisations o on o.id = a.organisation_id where o.name = $1) as agents`,
        [DEMO_ORGANISATION],
      )
    ).rows[0]!;
  const signsIn = (password: string) =>
    Promise.all(
      DEMO_AGENTS.map((a) =>
        signIn(ctx.stack, a.email, password).then(
          () => true,
          () => false,
        ),
      ),
    );

  it('finishes a start stopped right after it created the organisation', async () => {
    await createOrganisation(ctx.stack.db, DEMO_ORGANISATION);
    const demo = await seed();
    expect(await counts()).toEqual({ orgs: 1, conversations: DEMO_CONTACTS.length, agents: DEMO_AGENTS.length });
    expect(await signsIn(demo.password)).toEqual(DEMO_AGENTS.map(() => true));
  });

  it('sets a new password when local.json never got the last one, and duplicates nothing', async () => {
    const first = await seed(undefined); // as if the start stopped before writing local.json
    const second = await seed(undefined);
    expect(second.password).not.toBe(first.password);
    expect(second.organisationId).toBe(first.organisationId);
    expect(await signsIn(second.password)).toEqual(DEMO_AGENTS.map(() => true));
    expect(await signsIn(first.password)).toEqual(DEMO_AGENTS.map(() => false));
    expect(await counts()).toEqual({ orgs: 1, conversations: DEMO_CONTACTS.length, agents: DEMO_AGENTS.length });
    // With local.json intact, a start changes nothing.
    expect(await seed(second)).toEqual(second);
    expect(await signsIn(second.password)).toEqual(DEMO_AGENTS.map(() => true));
  });
});
