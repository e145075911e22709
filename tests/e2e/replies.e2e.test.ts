import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInBrowser, type ExtensionBrowser } from '../support/browser';
import { cuttableProxy } from '../support/proxy';
import { newSid } from '../../server/dev/twilio-stand-in/inbound';
import { STAND_IN_TEMPLATES, type MediaKind } from '../../server/dev/twilio-stand-in/server';
import { addTemplate } from '../../server/admin/commands';
import { customer } from '../support/stack';
import { useTestStack } from '../support/fixture';

describe('Replying from the side panel, in Chromium', () => {
  const ctx = useTestStack({ orgs: { org: 1 } });
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'Is the store open today?', profileName: 'Remy' });
    // The admin labels what order_update's variables mean (the admin path: add-template with labels);
    // follow_up stays unlabelled.
    await addTemplate(ctx.stack.db, ctx.org.id, STAND_IN_TEMPLATES[1].sid, { '1': 'Customer name', '2': 'Order number' });
    ({ browser } = await signedInBrowser(ctx.stack, ctx.org.agents[0]!.email));
  });
  afterAll(async () => {
    await browser?.close();
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
    expect(ctx.stack.twilioStandIn!.created.map((c) => c.Body)).toEqual(['Yes, until 6 pm.\nSee you!']);
  });

  /** A customer who wrote `hoursAgo` hours ago, and the side panel open on their conversation. */
  const openConversationWith = async (
    name: string,
    hoursAgo = 0,
    media: Array<{ kind: MediaKind; contentType: string }> = [],
  ): Promise<{ panel: Page; phone: string }> => {
    const phone = customer();
    const messageSid = newSid(media.length ? 'MM' : 'SM');
    const files = media.map((m) => ({ url: ctx.stack.twilioStandIn!.mediaUrl(m.kind, messageSid), contentType: m.contentType }));
    const res = await ctx.stack.inbound({ messageSid, from: phone, to: ctx.org.number, body: `Hi, I am ${name}`, profileName: name, media: files });
    if (hoursAgo) {
      await ctx.stack.db.query(
        `update conversations set last_inbound_at = now() - make_interval(hours => $2), version = version + 1
          where id = (select conversation_id from messages where twilio_sid = $1)`,
        [res.params.MessageSid, hoursAgo],
      );
    }
    await browser.worker.evaluate(() => chrome.storage.session.remove('openConversation')); // start from the list
    const panel = await browser.page('sidepanel.html');
    await panel.getByRole('button', { name: new RegExp(name) }).click();
    return { panel, phone };
  };
  const sentWith = (body: string) => ctx.stack.twilioStandIn!.created.filter((c) => c.Body === body);

  it('a conversation with no message from the customer yet opens with an approved template, its variables labelled by meaning', async () => {
    // Started from a CRM page: WhatsApp allows only a template until the customer writes.
    const started = await fetch(`${ctx.stack.serverUrl}/api/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ctx.org.agents[0]!.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ phone: customer() }),
    });
    const { conversation } = (await started.json()) as { conversation: { id: string } };
    await browser.worker.evaluate(() => chrome.storage.session.remove('openConversation'));
    const panel = await browser.page('sidepanel.html');
    await panel.locator(`[data-conversation-id="${conversation.id}"]`).click({ timeout: 10_000 });
    const form = panel.getByRole('form', { name: 'Send a template' });
    await form.getByText(/has not written yet/).waitFor({ timeout: 10_000 });
    expect(await panel.getByLabel('Reply').count()).toBe(0);
    await form.getByLabel('Template').selectOption({ label: 'order_update (en)' });
    // Labelled by what they mean, in the fields and in the preview; never {{1}}.
    expect(await form.locator('.template-preview').textContent()).toBe('Hello Customer name, your order Order number has shipped.');
    expect(await form.textContent()).not.toContain('{{');
    await form.getByLabel('Customer name').fill('Tove');
    await form.getByLabel('Order number').fill('B-12');
    expect(await form.locator('.template-preview').textContent()).toBe('Hello Tove, your order B-12 has shipped.');
    await form.getByRole('button', { name: 'Send template' }).click();
    const sent = panel.getByRole('list', { name: 'Messages' }).locator('li.outbound');
    await expect.poll(() => sent.getAttribute('data-status'), { timeout: 10_000 }).toBe('read');
    expect(await sent.locator('.body').textContent()).toBe('Hello Tove, your order B-12 has shipped.');
    expect(ctx.stack.twilioStandIn!.created.at(-1)).toMatchObject({ ContentSid: expect.stringMatching(/^HX/) });
    await panel.close();
  });

  it('a failed send outside the window says so in plain words and offers a template, not a Retry that would fail again', async () => {
    const { panel, phone } = await openConversationWith('Ulla');
    ctx.stack.twilioStandIn!.failing.add(`whatsapp:${phone}`);
    await panel.getByLabel('Reply').fill('This one fails');
    await panel.getByLabel('Reply').press('Enter');
    const failed = panel.getByRole('list', { name: 'Messages' }).locator('li.outbound[data-status="failed"]');
    await failed.getByText(/More than 24 hours have passed since the customer last wrote/).waitFor({ timeout: 10_000 });
    expect(await failed.getByText('(Twilio 63016)').count()).toBe(1);
    expect(await failed.getByRole('button', { name: 'Retry' }).count()).toBe(0);
    ctx.stack.twilioStandIn!.failing.delete(`whatsapp:${phone}`);
    await failed.getByRole('button', { name: 'Send a template' }).click();
    const form = panel.getByRole('form', { name: 'Send a template' });
    await form.getByLabel('Template').selectOption({ label: 'follow_up (en)' });
    // An unlabelled template's variable is called by its place.
    await form.getByLabel('Value 1').fill('Ulla');
    await form.getByRole('button', { name: 'Send template' }).click();
    await panel.locator('li.outbound[data-status="read"]').waitFor({ timeout: 10_000 });
    expect(ctx.stack.twilioStandIn!.created.at(-1)).toMatchObject({ To: `whatsapp:${phone}`, ContentSid: expect.stringMatching(/^HX/) });
    // Back to the reply box once the template went.
    await panel.getByLabel('Reply').waitFor();
    await panel.close();
  });

  it('a failed send that can go through later shows its reason and a Retry that sends it again', async () => {
    const { panel, phone } = await openConversationWith('Ulrike');
    ctx.stack.twilioStandIn!.failWith.set(`whatsapp:${phone}`, 30003);
    await panel.getByLabel('Reply').fill('This one fails once');
    await panel.getByLabel('Reply').press('Enter');
    const failed = panel.getByRole('list', { name: 'Messages' }).locator('li.outbound[data-status="failed"]');
    await failed.getByText(/phone could not be reached/).waitFor({ timeout: 10_000 });
    ctx.stack.twilioStandIn!.failWith.delete(`whatsapp:${phone}`);
    await failed.getByRole('button', { name: 'Retry' }).click();
    await panel.locator('li.outbound[data-status="read"]').waitFor({ timeout: 10_000 });
    expect(sentWith('This one fails once')).toHaveLength(2); // the failed attempt and the retry
    await panel.close();
  });

  it('a reply written offline waits, then goes out exactly once when the connection is back', async () => {
    // A second agent browser whose way to the server can be cut, as a train's Wi-Fi would.
    const proxy = await cuttableProxy(Number(new URL(ctx.stack.serverUrl).port));
    const other = await signedInBrowser({ ...ctx.stack, serverUrl: proxy.url }, ctx.org.agents[0]!.email);
    try {
      const phone = customer();
      await ctx.stack.inbound({ from: phone, to: ctx.org.number, body: 'Are you there?', profileName: 'Vera' });
      const panel = other.panel;
      await panel.getByRole('button', { name: /Vera/ }).click({ timeout: 10_000 });
      proxy.setUp(false);
      await panel.locator('[data-status="degraded"]').waitFor({ timeout: 20_000 }); // Socket.IO gone; Realtime still up
      await panel.getByLabel('Reply').fill('Written on the train');
      await panel.getByLabel('Reply').press('Enter');
      const bubble = panel.getByRole('list', { name: 'Messages' }).locator('li.outbound');
      await bubble.waitFor();
      await new Promise((r) => setTimeout(r, 1500));
      expect(await bubble.getAttribute('data-status')).toBe('accepted'); // waiting, not failed
      expect(sentWith('Written on the train')).toHaveLength(0);
      proxy.setUp(true);
      await panel.evaluate(() => window.switchboard!.reconnect());
      await expect.poll(() => bubble.getAttribute('data-status'), { timeout: 20_000 }).toBe('read');
      expect(sentWith('Written on the train')).toHaveLength(1);
      expect(await bubble.count()).toBe(1);
    } finally {
      await other.browser.close();
      await proxy.close();
    }
  });

  it('shows a customer’s photo inline, fetched through the server with Twilio’s credentials', async () => {
    const { panel } = await openConversationWith('Wim', 0, [{ kind: 'image', contentType: 'image/png' }]);
    const img = panel.getByRole('img', { name: 'Photo from the customer' });
    await img.waitFor({ timeout: 10_000 });
    expect(await img.getAttribute('src')).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    expect(await img.evaluate((el: HTMLImageElement) => el.naturalWidth)).toBe(1);
    await panel.close();
  });
});
