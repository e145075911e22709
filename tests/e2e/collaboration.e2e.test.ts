import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInBrowser, type ExtensionBrowser } from '../support/browser';
import { createTestOrg, customer, startTestStack, type TestOrg, type TestStack } from '../support/stack';

/** Two agents in two browsers: Bob types, Alice sees the dots and the collision notice, then sees them clear. */
describe('Typing, presence and collision between two agents in Chromium', () => {
  let stack: TestStack;
  let org: TestOrg;
  const browsers: ExtensionBrowser[] = [];
  let alice: Page;
  let bob: Page;

  const signedInPanel = async (email: string) => {
    const { browser, panel } = await signedInBrowser(stack, email);
    browsers.push(browser);
    await panel.locator('[data-status="live"]').waitFor({ timeout: 10_000 });
    return panel;
  };

  beforeAll(async () => {
    stack = await startTestStack();
    org = await createTestOrg(stack, 2); // "Agent 0" (Alice) and "Agent 1" (Bob)
    await stack.inbound({ from: customer(), to: org.number, body: 'Can someone help me?', profileName: 'Quinn' });
    alice = await signedInPanel(org.agents[0]!.email);
    bob = await signedInPanel(org.agents[1]!.email);
  });
  afterAll(async () => {
    for (const b of browsers) await b.close();
    await stack?.stop();
  });

  it('shows colleagues’ presence', async () => {
    await alice.getByRole('list', { name: 'Team' }).getByLabel('Agent 1: online').waitFor({ timeout: 10_000 });
    await bob.getByRole('list', { name: 'Team' }).getByLabel('Agent 0: online').waitFor({ timeout: 10_000 });
  });

  it('warns Alice that Bob is viewing, then typing; the dots show in the list and the thread, and clear', async () => {
    await bob.getByRole('button', { name: /Quinn/ }).click();
    // Alice, still on the list, sees Bob's typing dots on the conversation.
    await bob.getByLabel('Reply').fill('Hi Quinn, I');
    await alice.getByRole('button', { name: /Quinn/ }).getByLabel('Agent 1 is typing').waitFor({ timeout: 5000 });
    await bob.getByLabel('Reply').fill('');
    await expect.poll(() => alice.getByLabel('Agent 1 is typing').count(), { timeout: 5000 }).toBe(0);

    await alice.getByRole('button', { name: /Quinn/ }).click();
    await alice.getByText('Agent 1 is viewing').waitFor({ timeout: 5000 });
    await bob.getByLabel('Reply').fill('Hi Quinn, let me check');
    await alice.getByText('Agent 1 is typing a reply').waitFor({ timeout: 5000 });
    expect(await alice.locator('.thread-typing [data-typing]').getAttribute('data-typing')).toBe('Agent 1');
    // Bob leaves the box: the indicator clears at once, and the notice falls back to "viewing".
    await bob.getByLabel('Reply').blur();
    await alice.getByText('Agent 1 is viewing').waitFor({ timeout: 5000 });
    expect(await alice.locator('[data-typing]').count()).toBe(0);
  });

  it('clears a typing indicator 3 s after the last keystroke, with no stop ever sent', async () => {
    await bob.getByLabel('Reply').focus();
    await bob.getByLabel('Reply').pressSequentially('!');
    await alice.getByText('Agent 1 is typing a reply').waitFor({ timeout: 5000 });
    const t0 = Date.now();
    await alice.getByText('Agent 1 is viewing').waitFor({ timeout: 6000 });
    expect(Date.now() - t0).toBeGreaterThan(1500);
  });

  it('tells Alice when Bob leaves the conversation', async () => {
    await bob.getByRole('button', { name: 'Back to conversations' }).click();
    await expect.poll(() => alice.locator('.collision').count(), { timeout: 5000 }).toBe(0);
  });
});
