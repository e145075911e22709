import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSid } from '../../server/dev/twilio-stand-in/inbound';
import { signedInBrowser, type ExtensionBrowser } from '../support/browser';
import { useTestStack } from '../support/fixture';
import { customer } from '../support/stack';
import { until } from '../support/wait';

/**
 * WhatsApp as customers use it, in Chromium with the built extension: a quoted reply shows its
 * quote and jumps to it (further back than the loaded history), a voice note plays, a document
 * shows its size, a shared contact opens that number, an agent drops a PDF on the composer and the customer's side (the
 * Twilio stand-in) fetches it, and a customer who sent STOP cannot be written to.
 */
describe('WhatsApp content in the side panel', () => {
  const ctx = useTestStack({ orgs: { org: 1 } });
  let browser: ExtensionBrowser;

  beforeAll(async () => {
    ({ browser } = await signedInBrowser(ctx.stack, ctx.org.agents[0]!.email));
  });
  afterAll(async () => {
    await browser?.close();
  });

  const open = async (name: string): Promise<Page> => {
    await browser.worker.evaluate(() => chrome.storage.session.remove('openConversation'));
    const panel = await browser.page('sidepanel.html');
    await panel.getByRole('button', { name: new RegExp(name) }).click({ timeout: 15_000 });
    return panel;
  };

  it('shows a quoted reply’s quote, and clicking it brings the original into view, loading older history', async () => {
    const phone = customer();
    const original = await ctx.stack.inbound({ from: phone, to: ctx.org.number, body: 'My order number is QX-7781', profileName: 'Quinn' });
    // 110 messages later (more than the thread holds before scrolling back)…
    for (let i = 0; i < 110; i += 10)
      await Promise.all(Array.from({ length: 10 }, (_, j) => ctx.stack.inbound({ from: phone, to: ctx.org.number, body: `filler ${i + j}` })));
    await ctx.stack.inbound({ from: phone, to: ctx.org.number, body: 'Any news on this?', replyTo: { sid: original.params.MessageSid!, sender: phone } });
    // The agent opens it once all 112 have reached the extension (the toolbar counts them): this is
    // about finding a quote, not about a thread that is still filling.
    await until(async () => (await browser.badgeText()) === '112', { what: 'the 112 messages in the extension' });
    const panel = await open('Quinn');
    const thread = panel.getByRole('list', { name: 'Messages' });
    const quote = thread.getByRole('button', { name: 'Replying to Customer: My order number is QX-7781 (show it)' });
    // The thread opens at the first of the 112 unread messages: down to the latest, which quotes the first.
    await thread.getByText('My order number is QX-7781', { exact: true }).waitFor();
    await panel.locator('.messages-scroller').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await quote.waitFor({ timeout: 10_000 });
    // The quote reads in the same type as the message around it (it was smaller: issue 31).
    const types = await quote.evaluate((button) => {
      const type = (el: Element) => `${getComputedStyle(el).fontSize} ${getComputedStyle(el).fontFamily}`;
      const bubble = button.closest('.bubble')!;
      return [type(button.querySelector('.quote-who')!), type(button.querySelector('.quote-text')!), type(bubble.querySelector('.body')!)];
    });
    expect(new Set(types).size).toBe(1);
    await expect.poll(() => thread.getByText('My order number is QX-7781', { exact: true }).count()).toBe(1); // only inside the quote
    await quote.click();
    const target = thread.locator('li.message.highlighted');
    await target.waitFor({ timeout: 15_000 });
    expect(await target.locator('.body').textContent()).toBe('My order number is QX-7781');
    expect(await target.isVisible()).toBe(true);
    await panel.close();
  });

  it('plays a voice note inline, and a shared contact card opens that number’s conversation', async () => {
    const phone = customer();
    const sid = newSid('MM');
    const standIn = ctx.stack.twilioStandIn!;
    await ctx.stack.inbound({
      messageSid: sid,
      from: phone,
      to: ctx.org.number,
      profileName: 'Vik',
      media: [
        { url: standIn.mediaUrl('audio', sid), contentType: 'audio/ogg' },
        { url: standIn.mediaUrl('vcard', sid), contentType: 'text/vcard' },
        { url: standIn.mediaUrl('pdf', sid), contentType: 'application/pdf' },
      ],
    });
    const panel = await open('Vik');
    const audio = panel.getByRole('list', { name: 'Messages' }).locator('audio');
    await audio.waitFor({ timeout: 10_000 });
    await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.duration), { timeout: 10_000 }).toBeGreaterThan(1.5);
    // It plays (muted: no user gesture in a test) and moves on.
    await audio.evaluate((a: HTMLAudioElement) => {
      a.muted = true;
      return a.play();
    });
    await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.currentTime), { timeout: 10_000 }).toBeGreaterThan(0.2);

    // A document shows what it is and its size (and its name when Twilio's answer names it).
    await panel.getByRole('button', { name: /^Download PDF \(\d+ bytes\)$/ }).waitFor({ timeout: 10_000 });

    const card = panel.getByRole('group', { name: 'Contact: Ada Okafor' });
    await card.getByText('Okafor Logistics').waitFor({ timeout: 10_000 });
    await card.getByRole('button', { name: 'Message +447700900321' }).click();
    await panel.getByRole('heading', { name: '+447700900321' }).waitFor({ timeout: 10_000 });
    await panel.close();
  });

  it('gives a link to a customer’s file that works without signing in (for a CRM record), with when it stops working', async () => {
    const phone = customer();
    const sid = newSid('MM');
    const standIn = ctx.stack.twilioStandIn!;
    await ctx.stack.inbound({
      messageSid: sid,
      from: phone,
      to: ctx.org.number,
      profileName: 'Lin',
      media: [{ url: standIn.mediaUrl('pdf', sid), contentType: 'application/pdf' }],
    });
    const panel = await open('Lin');
    await panel.getByRole('button', { name: /^Download PDF/ }).waitFor({ timeout: 10_000 });
    await panel.getByRole('button', { name: 'Copy link' }).click();
    const field = panel.getByRole('textbox', { name: 'Link to this file' });
    await field.waitFor({ timeout: 10_000 });
    const url = await field.inputValue();
    expect(url).toMatch(new RegExp(`^${ctx.stack.config.publicUrl}/media/messages/[0-9a-f-]{36}/0\\?expires=\\d+&signature=`));
    await expect
      .poll(() =>
        panel
          .getByRole('status')
          .filter({ hasText: /works without signing in until/ })
          .count(),
      )
      .toBeGreaterThan(0);
    // Anyone with the link gets the file: no session, no token.
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(
      Buffer.from(await res.arrayBuffer())
        .subarray(0, 4)
        .toString(),
    ).toBe('%PDF');
    // A link whose signature does not match gives nothing.
    expect((await fetch(url.replace(/signature=./, (m) => `signature=${m.endsWith('A') ? 'B' : 'A'}`))).status).toBe(403);
    await panel.close();
  });

  it('an agent drops a PDF on the composer and the customer’s side fetches it from the signed URL with its name', async () => {
    const phone = customer();
    await ctx.stack.inbound({ from: phone, to: ctx.org.number, body: 'Can you send me the invoice?', profileName: 'Ines' });
    const panel = await open('Ines');
    const pdf = '%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n';
    const composer = panel.locator('.composer').first();
    const drop = await panel.evaluateHandle((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'Invoice 2211.pdf', { type: 'application/pdf' }));
      return dt;
    }, pdf);
    await composer.dispatchEvent('dragover', { dataTransfer: drop });
    await composer.dispatchEvent('drop', { dataTransfer: drop });
    const attached = panel.getByRole('list', { name: 'Attached files' });
    await attached.getByText('Ready').waitFor({ timeout: 10_000 });
    expect(await attached.getByText('Invoice 2211.pdf', { exact: true }).count()).toBe(1);
    await panel.getByLabel('Reply').fill('Here it is');
    await panel.getByLabel('Reply').press('Enter');
    // WhatsApp shows no caption on a document: the text goes first, then the file.
    const standIn = ctx.stack.twilioStandIn!;
    await until(() => standIn.fetchedMedia.some((f) => f.fileName === 'Invoice 2211.pdf'), { what: 'Twilio fetching the PDF' });
    const fetched = standIn.fetchedMedia.find((f) => f.fileName === 'Invoice 2211.pdf')!;
    expect(fetched).toMatchObject({ status: 200, contentType: 'application/pdf', sha256: createHash('sha256').update(pdf).digest('hex') });
    const toCustomer = standIn.created.filter((c) => c.To === `whatsapp:${phone}`);
    expect(toCustomer.map((c) => [c.Body, !!c.MediaUrl])).toEqual([
      ['Here it is', false],
      ['', true],
    ]);
    const thread = panel.getByRole('list', { name: 'Messages' });
    await thread.getByRole('button', { name: /Download Invoice 2211\.pdf/ }).waitFor();
    await expect.poll(() => thread.locator('li.outbound').last().getAttribute('data-status'), { timeout: 10_000 }).toBe('read');
    // A file WhatsApp cannot carry is refused before any upload, and the text stays.
    const zip = await panel.evaluateHandle(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['PK'], 'photos.zip', { type: 'application/zip' }));
      return dt;
    });
    await panel.getByLabel('Reply').fill('And the photos');
    await composer.dispatchEvent('drop', { dataTransfer: zip });
    await attached
      .getByRole('alert')
      .getByText(/photos\.zip: WhatsApp cannot carry this kind of file/)
      .waitFor();
    await panel.getByLabel('Reply').press('Enter');
    expect(await panel.getByLabel('Reply').inputValue()).toBe('And the photos');
    await panel.getByRole('button', { name: 'Remove photos.zip' }).click();
    await panel.close();
  });

  it('shows a progress bar while an upload is on its way and cancels it on request; a pasted image gets a preview', async () => {
    const phone = customer();
    await ctx.stack.inbound({ from: phone, to: ctx.org.number, body: 'Photo?', profileName: 'Pia' });
    const panel = await open('Pia');
    // The upload is held on its way (as on a slow uplink), so it can be watched and stopped.
    const cdp = await panel.context().newCDPSession(panel);
    const held: string[] = [];
    cdp.on('Fetch.requestPaused', (e: { requestId: string }) => void held.push(e.requestId));
    await cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*/api/uploads?ticket=*', requestStage: 'Request' }] });
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
    await panel
      .getByLabel('Files to send')
      .setInputFiles({ name: 'holiday.png', mimeType: 'image/png', buffer: Buffer.concat([png, Buffer.alloc(400 * 1024)]) });
    const progress = panel.getByRole('progressbar', { name: 'Uploading holiday.png' });
    await progress.waitFor({ timeout: 10_000 });
    await until(() => held.length === 1, { what: 'the upload on its way' });
    await panel.getByRole('button', { name: 'Cancel holiday.png' }).click();
    await panel.getByRole('list', { name: 'Attached files' }).waitFor({ state: 'detached' });
    await cdp.send('Fetch.failRequest', { requestId: held[0]!, errorReason: 'Aborted' }).catch(() => {});
    await cdp.send('Fetch.disable');
    // Nothing of it is left to send: Enter with an empty box sends nothing.
    await panel.getByLabel('Reply').press('Enter');
    await new Promise((r) => setTimeout(r, 300));
    expect(ctx.stack.twilioStandIn!.created.filter((c) => c.To === `whatsapp:${phone}`)).toEqual([]);

    // Pasted into the reply box: previewed and uploaded.
    await panel.getByLabel('Reply').evaluate(
      (box, bytes) => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(bytes)], 'pasted.png', { type: 'image/png' }));
        box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
      },
      [...png],
    );
    const attached = panel.getByRole('list', { name: 'Attached files' });
    await attached.getByText('Ready').waitFor({ timeout: 10_000 });
    expect(await attached.locator('img.thumb').count()).toBe(1);
    await panel.close();
  });

  it('a customer who sent STOP cannot be written to until START', async () => {
    const phone = customer();
    await ctx.stack.inbound({ from: phone, to: ctx.org.number, body: 'Hello', profileName: 'Otto' });
    const panel = await open('Otto');
    await panel.getByLabel('Reply').waitFor();
    await ctx.stack.inbound({ from: phone, to: ctx.org.number, body: 'STOP' });
    await panel.getByText(/opted out of messages from this number/).waitFor({ timeout: 10_000 });
    expect(await panel.getByLabel('Reply').count()).toBe(0);
    await ctx.stack.inbound({ from: phone, to: ctx.org.number, body: 'start' });
    await panel.getByLabel('Reply').waitFor({ timeout: 10_000 });
    await panel.close();
  });
});
