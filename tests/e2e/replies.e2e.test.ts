import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInBrowser, type ExtensionBrowser } from '../support/browser';
import { createTestOrg, customer, startTestStack, type TestOrg, type TestStack } from '../support/stack';

describe('Replying from the side panel, in Chromium', () => {
  let stack: TestStack;
  let org: TestOrg;
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    stack = await startTestStack();
    org = await createTestOrg(stack, 1);
    await stack.inbound({ from: customer(), to: org.number, body: 'Is the store open today?', profileName: 'Remy' });
    ({ browser } = await signedInBrowser(stack, org.agents[0]!.email));
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('sends with Enter, shows the reply at once, and its ticks follow Twilio to "read"', async () => {
    const panel = await browser.page('sidepanel.html');
    await panel.getByRole('button', { name: /Remy/ }).click();
    const box = panel.getByLabel('Reply');
    await box.fill('Yes, until 6 pm.');
    await box.press('Shift+Enter');
    await box.pressSequentially('See you!');
    await box.press('Enter');
    expect(await box.inputValue()).toBe('');
    const sent = panel.getByRole('list', { name: 'Messages' }).locator('li.outbound');
    await sent.first().waitFor({ timeout: 5000 });
    expect(await sent.locator('.body').textContent()).toBe('Yes, until 6 pm.\nSee you!');
    await expect.poll(() => sent.getAttribute('data-status'), { timeout: 10_000 }).toBe('read');
    expect(await sent.count()).toBe(1); // one bubble: the optimistic copy and the server's merged by id
    expect(stack.twilioStandIn!.created.map((c) => c.Body)).toEqual(['Yes, until 6 pm.\nSee you!']);
  });
});
