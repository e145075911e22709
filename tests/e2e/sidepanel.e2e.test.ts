import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationView } from '../../lib/contract/models';
import { saveCannedReply } from '../../server/inbox/team';
import { signedInBrowser, type ExtensionBrowser } from '../support/browser';
import { api, connectSocket, customer, type TestSocket } from '../support/stack';
import { useTestStack } from '../support/fixture';
import { rowNamesOnScreen, topRowText } from '../support/list';

/** The side panel's main flows, in Chromium with the built extension, against the real stack. */
describe('The side panel inbox', () => {
  const ctx = useTestStack({ orgs: { org: 2 } });
  let browser: ExtensionBrowser;
  let panel: Page;
  let colleague: TestSocket;
  const heard: ConversationView[] = [];
  const me = () => ctx.org.agents[0]!;
  const bob = () => ctx.org.agents[1]!;
  const say = (from: string, name: string, body: string, extra: object = {}) =>
    ctx.stack.inbound({ from, to: ctx.org.number, body, profileName: name, ...extra });
  const row = (name: string | RegExp) => panel.getByRole('button', { name });
  const conversationIdOf = async (phone: string) =>
    (
      await ctx.stack.db.query<{ id: string }>(
        'select c.id from conversations c join contacts ct on ct.id = c.contact_id where ct.phone_e164 = $1 and c.organisation_id = $2',
        [phone, ctx.org.id],
      )
    ).rows[0]!.id;

  beforeAll(async () => {
    await ctx.stack.db.query("update agents set display_name = 'Bob' where id = $1", [ctx.org.agents[1]!.id]);
    await saveCannedReply(ctx.stack.db, ctx.org.id, 'hours', 'We are open 9:00 to 18:00.');
    colleague = await connectSocket(ctx.stack, ctx.org.agents[1]!.token);
    colleague.on('conversation:updated', ({ conversation }) => heard.push(conversation));
    ({ browser, panel } = await signedInBrowser(ctx.stack, ctx.org.agents[0]!.email));
    await panel.locator('[data-status="live"]').waitFor({ timeout: 10_000 });
  });
  afterAll(async () => {
    colleague?.close();
    await browser?.close();
  });

  it('finds a conversation by a message deep in its history (server-side search), assigns it, replies and sees the ticks', async () => {
    const zed = customer();
    await say(zed, 'Zed Quill', 'hello again');
    await say(customer(), 'Other Person', 'unrelated');
    const id = await conversationIdOf(zed);
    // Older than anything the extension caches, and in no name or preview: only the server finds it.
    await ctx.stack.db.query(
      `insert into messages (organisation_id, conversation_id, direction, body, status, created_at)
       values ($1, $2, 'inbound', 'my serial number is QX-4412', 'received', now() - interval '40 days')`,
      [ctx.org.id, id],
    );
    await row(/Other Person/).waitFor({ timeout: 10_000 });

    await panel.keyboard.press('/');
    await panel.getByLabel('Search conversations').pressSequentially('QX-4412');
    await expect.poll(() => panel.locator('.conversation').count(), { timeout: 10_000 }).toBe(1);
    expect(await row(/Zed Quill/).textContent()).toContain('my serial number is QX-4412');

    await row(/Zed Quill/).click();
    await panel.getByRole('button', { name: 'Assign to me' }).click();
    await expect.poll(async () => (await ctx.stack.db.query('select assignee_id from conversations where id = $1', [id])).rows[0].assignee_id).toBe(me().id);
    await expect.poll(() => heard.find((c) => c.id === id)?.assigneeId).toBe(me().id);
    expect(await panel.getByLabel('Assignee').inputValue()).toBe(me().id);

    const box = panel.getByLabel('Reply');
    await box.fill('Found it: QX-4412 ships tomorrow.');
    await box.press('Enter');
    const sent = panel.getByRole('list', { name: 'Messages' }).locator('li.outbound');
    await expect.poll(() => sent.getAttribute('data-status'), { timeout: 15_000 }).toBe('read');
    expect(await sent.getByRole('img', { name: 'Read' }).locator('svg').count()).toBe(1);

    await panel.keyboard.press('Escape');
    // Back in the list, focus returns to the conversation's row (a few frames later): clear the
    // search only then, or the returning focus takes the keystrokes away from the box.
    await expect.poll(() => panel.evaluate(() => document.activeElement?.getAttribute('data-conversation-id'))).toBe(id);
    const search = panel.getByLabel('Search conversations');
    await search.fill('');
    expect(await search.inputValue()).toBe('');
    await expect.poll(() => row(/Zed Quill/).textContent()).toContain('Assigned to You');
  });

  it('lists the agent’s inbox by default; a colleague’s assignment takes a row out of it live; Mine / Unassigned / All', async () => {
    const pia = customer();
    await say(pia, 'Pia Lund', 'Can Bob call me?');
    await row(/Pia Lund/).waitFor({ timeout: 10_000 });
    const inbox = panel.getByRole('button', { name: /^Inbox/ });
    expect(await inbox.getAttribute('aria-pressed')).toBe('true');
    expect(await inbox.getAttribute('title')).toBe('Assigned to you and unassigned');
    const id = await conversationIdOf(pia);
    expect((await api(ctx.stack, bob().token, `/api/conversations/${id}/assign`, 'POST', { assigneeId: bob().id })).status).toBe(200);
    await row(/Pia Lund/).waitFor({ state: 'detached', timeout: 10_000 });

    const names = async () => (await panel.locator('.conversation .name').allTextContents()).sort();
    expect(await names()).toEqual(['Other Person', 'Zed Quill']);
    expect(await inbox.textContent()).toBe('Inbox 2');
    await panel.getByRole('button', { name: /^All/ }).click();
    await expect.poll(() => row(/Pia Lund/).textContent(), { timeout: 10_000 }).toContain('Assigned to Bob');
    expect(await names()).toEqual(['Other Person', 'Pia Lund', 'Zed Quill']);
    await panel.getByRole('button', { name: /^Mine/ }).click();
    expect(await names()).toEqual(['Zed Quill']);
    await panel.getByRole('button', { name: /^Unassigned/ }).click();
    expect(await names()).toEqual(['Other Person']);
    expect(await panel.getByRole('button', { name: /^Mine/ }).getAttribute('aria-pressed')).toBe('false');
    // Back to the default for the tests that follow (the choice is kept on this device).
    await inbox.click();
    expect(await names()).toEqual(['Other Person', 'Zed Quill']);
  });

  it('works with the keyboard alone: search, open, canned reply, send, back, next conversation', async () => {
    await panel.keyboard.press('/');
    await panel.keyboard.type('Pia');
    await expect.poll(() => panel.locator('.conversation .name').allTextContents(), { timeout: 10_000 }).toEqual(['Pia Lund']);
    await panel.keyboard.press('ArrowDown');
    await expect.poll(() => panel.evaluate(() => document.activeElement?.textContent)).toContain('Pia Lund');
    await panel.keyboard.press('Enter');
    await panel.getByRole('list', { name: 'Messages' }).getByText('Can Bob call me?').waitFor();
    // Opened from the keyboard, the thread does not take the focus into the reply box: the keys act on it.
    await expect.poll(() => panel.getByRole('heading', { name: 'Pia Lund' }).evaluate((el) => el === document.activeElement)).toBe(true);
    await panel.keyboard.press('z');
    await panel.getByRole('group', { name: 'Snooze until' }).waitFor();
    // Focus is in the choices at once: Escape closes them, not the thread.
    await panel.keyboard.press('Escape');
    expect(await panel.getByRole('heading', { name: 'Pia Lund' }).isVisible()).toBe(true);
    await panel.getByRole('group', { name: 'Snooze until' }).waitFor({ state: 'detached' });
    await panel.keyboard.press('r');
    await expect.poll(() => panel.getByLabel('Reply').evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await panel.getByLabel('Reply').inputValue()).toBe('');
    await panel.keyboard.type('/hou');
    await panel.getByRole('option', { name: /We are open/ }).waitFor();
    await panel.keyboard.press('Enter');
    expect(await panel.getByLabel('Reply').inputValue()).toBe('We are open 9:00 to 18:00.');
    await panel.keyboard.press('Enter');
    await panel.getByRole('list', { name: 'Messages' }).locator('li.outbound').getByText('We are open 9:00 to 18:00.').waitFor({ timeout: 10_000 });

    // Escape goes back to the list, with focus on the conversation just left.
    await panel.keyboard.press('Escape');
    await panel.getByLabel('Search conversations').waitFor();
    // (Focus lands once the list has rendered the row again: a frame or a few under load.)
    const pia = await conversationIdOf((await ctx.stack.db.query("select phone_e164 from contacts where profile_name = 'Pia Lund'")).rows[0].phone_e164);
    await expect.poll(() => panel.evaluate(() => document.activeElement?.getAttribute('data-conversation-id'))).toBe(pia);
    await panel.getByLabel('Search conversations').fill('');
    // Alt+↓ opens the next conversation in the list's order.
    const order = await rowNamesOnScreen(panel);
    await panel.locator('.conversation', { hasText: order[0]! }).focus();
    await panel.keyboard.press('Enter');
    await panel.getByRole('heading', { name: order[0]! }).waitFor();
    await panel.keyboard.press('Alt+ArrowDown');
    await panel.getByRole('heading', { name: order[1]! }).waitFor();
    await panel.keyboard.press('Escape');
  });

  it('searches every status, says where each match is, and counts the matches per status', async () => {
    const [open, snoozed, resolved] = [customer(), customer(), customer()];
    await say(open, 'Quokka Open', 'quokka plush');
    await say(snoozed, 'Quokka Later', 'quokka mug');
    await say(resolved, 'Quokka Done', 'quokka poster');
    await row(/Quokka Done/).waitFor({ timeout: 10_000 });
    const status = async (phone: string, body: object) =>
      expect((await api(ctx.stack, me().token, `/api/conversations/${await conversationIdOf(phone)}/status`, 'POST', body)).status).toBe(200);
    await status(snoozed, { status: 'snoozed', snoozedUntil: new Date(Date.now() + 86_400_000).toISOString() });
    await status(resolved, { status: 'resolved' });
    await row(/Quokka Done/).waitFor({ state: 'detached', timeout: 10_000 });
    await row(/Quokka Later/).waitFor({ state: 'detached', timeout: 10_000 });

    await panel.getByLabel('Search conversations').fill('quokka');
    const list = panel.getByRole('list', { name: 'Conversations' });
    await expect.poll(() => rowNamesOnScreen(list), { timeout: 10_000 }).toEqual(['Quokka Done', 'Quokka Later', 'Quokka Open']);
    const where = async (name: string) => list.locator('.conversation', { hasText: name }).locator('.where').textContent();
    expect([await where('Quokka Done'), await where('Quokka Later'), await where('Quokka Open')]).toEqual(['Resolved', 'Snoozed', 'Open']);
    const scopes = panel.getByRole('group', { name: 'Matches by status' });
    expect(await scopes.getByRole('button').allTextContents()).toEqual(['All 3', 'Open 1', 'Snoozed 1', 'Resolved 1']);
    await scopes.getByRole('button', { name: /^Resolved/ }).click();
    await expect.poll(() => rowNamesOnScreen(list)).toEqual(['Quokka Done']);
    expect(await scopes.getByRole('button', { name: /^Resolved/ }).getAttribute('aria-pressed')).toBe('true');
    // Cleared, the list is the Open list again, with its filters.
    await panel.getByLabel('Search conversations').fill('');
    await panel.getByRole('group', { name: 'Status' }).waitFor();
    expect(await panel.locator('.conversation .name').allTextContents()).not.toContain('Quokka Done');
  });

  it('tells who waits on whom: the customer’s wait, "You:" or the colleague on a reply, initials, opted out, checkboxes only when selecting', async () => {
    const lena = customer();
    await say(lena, 'Lena Ortiz', 'Is my order on its way?');
    const r = row(/Lena Ortiz/);
    await r.waitFor({ timeout: 10_000 });
    expect(await r.locator('.avatar').textContent()).toBe('LO');
    await expect.poll(() => r.locator('.waiting').textContent()).toBe(' Waiting 1 min');
    const id = await conversationIdOf(lena);
    const reply = async (token: string, body: string) =>
      expect((await api(ctx.stack, token, `/api/conversations/${id}/messages`, 'POST', { id: randomUUID(), body })).status).toBe(201);
    await reply(bob().token, 'Checking now');
    await expect.poll(() => r.locator('.preview').textContent(), { timeout: 10_000 }).toBe('Bob: Checking now');
    expect(await r.locator('.waiting').count()).toBe(0);
    await reply(me().token, 'It ships today');
    await expect.poll(() => r.locator('.preview').textContent(), { timeout: 10_000 }).toBe('You: It ships today');
    await say(lena, 'Lena Ortiz', 'STOP');
    await r.getByText('Opted out').waitFor({ timeout: 10_000 });
    expect(await r.locator('.preview').textContent()).toBe('STOP');
    await r.locator('.waiting').waitFor();
    // No checkboxes until the agent chooses to select.
    expect(await panel.getByRole('checkbox').count()).toBe(0);
    await panel.getByRole('button', { name: 'Select' }).click();
    await panel.getByRole('checkbox', { name: /Lena Ortiz/ }).waitFor();
    await panel.getByRole('region', { name: 'Selected conversations' }).getByRole('button', { name: 'Done' }).click();
    expect(await panel.getByRole('checkbox').count()).toBe(0);
  });

  it('follows new messages at the bottom; otherwise counts them in a control that covers no bubble; the new-messages line goes once the agent replies', async () => {
    const theo = customer();
    await say(theo, 'Theo Brandt', 'first');
    await row(/Theo Brandt/).waitFor({ timeout: 10_000 });
    const id = await conversationIdOf(theo);
    await ctx.stack.db.query(
      `insert into messages (organisation_id, conversation_id, direction, body, status, created_at)
       select $1, $2, 'inbound', 'older line ' || g, 'received', now() - interval '1 hour' + g * interval '1 second' from generate_series(1, 40) g`,
      [ctx.org.id, id],
    );
    await say(theo, 'Theo Brandt', 'unread one');
    await row(/Theo Brandt/)
      .getByLabel('2 unread')
      .waitFor({ timeout: 10_000 });
    await row(/Theo Brandt/).click();
    const thread = panel.getByRole('list', { name: 'Messages' });
    await thread.getByText('unread one').waitFor();
    await thread.locator('li.new-marker').waitFor();
    // Replying: the line has done its job.
    await panel.getByLabel('Reply').fill('Hello Theo');
    await panel.getByLabel('Reply').press('Enter');
    await thread.locator('li.outbound', { hasText: 'Hello Theo' }).waitFor({ timeout: 10_000 });
    await thread.locator('li.new-marker').waitFor({ state: 'detached' });

    /** The last bubble, whole, inside the visible part of the thread, and its text. */
    const lastBubble = () =>
      panel.evaluate(() => {
        const view = document.querySelector('.messages-scroller')!.getBoundingClientRect();
        const bubbles = document.querySelectorAll('li.message .bubble');
        const last = bubbles[bubbles.length - 1]!;
        const r = last.getBoundingClientRect();
        return { whole: r.top >= view.top - 1 && r.bottom <= view.bottom + 1, text: last.querySelector('.body')?.textContent ?? '' };
      });
    await say(theo, 'Theo Brandt', 'seen as it comes');
    await thread.getByText('seen as it comes').waitFor({ timeout: 10_000 });
    await expect.poll(lastBubble).toEqual({ whole: true, text: 'seen as it comes' });
    expect(await panel.locator('.jump').count()).toBe(0);

    // Scrolled up: what arrives is counted, all of it, and the control covers no message.
    await panel.locator('.messages-scroller').evaluate((el) => el.scrollTo({ top: 0 }));
    await expect.poll(async () => (await lastBubble()).whole).toBe(false);
    await Promise.all([say(theo, 'Theo Brandt', 'new A'), say(theo, 'Theo Brandt', 'new B')]);
    const jump = panel.locator('.jump');
    await expect.poll(() => jump.textContent(), { timeout: 10_000 }).toBe(' 2 new messages');
    const covers = await panel.evaluate(() => {
      const j = document.querySelector('.jump')!.getBoundingClientRect();
      const view = document.querySelector('.messages-scroller')!.getBoundingClientRect();
      return [...document.querySelectorAll('li.message .bubble')].some((b) => {
        const r = b.getBoundingClientRect();
        const top = Math.max(r.top, view.top);
        const bottom = Math.min(r.bottom, view.bottom);
        return bottom > top && bottom > j.top && top < j.bottom && r.right > j.left && r.left < j.right;
      });
    });
    expect(covers).toBe(false);
    await jump.click();
    await expect.poll(lastBubble).toEqual({ whole: true, text: expect.stringMatching(/^new [AB]$/) });
    await jump.waitFor({ state: 'detached' });
    await panel.keyboard.press('Escape');
  });

  it('shows notes from colleagues and writes its own, never sent to the customer; shows shared locations', async () => {
    const jo = customer();
    await say(jo, 'Jo Park', '', { location: { latitude: 52.5163, longitude: 13.3777, label: 'Brandenburger Tor', address: 'Pariser Platz, Berlin' } });
    await row(/Jo Park/).click();
    const thread = panel.getByRole('list', { name: 'Messages' });
    const place = thread.getByRole('link', { name: /Brandenburger Tor/ });
    await place.waitFor({ timeout: 10_000 });
    expect(await place.getAttribute('href')).toBe('https://www.openstreetmap.org/?mlat=52.5163&mlon=13.3777#map=17/52.5163/13.3777');
    expect(await place.textContent()).toContain('Pariser Platz, Berlin');

    const id = await conversationIdOf(jo);
    await api(ctx.stack, bob().token, `/api/conversations/${id}/notes`, 'POST', { id: randomUUID(), body: 'Jo is a wholesale customer' });
    await thread.locator('li.note', { hasText: 'Jo is a wholesale customer' }).getByText('Private note · Bob').waitFor({ timeout: 10_000 });

    await panel.getByRole('button', { name: 'Private note' }).click();
    await panel.getByLabel('Private note').fill('Offered 10% off');
    await panel.getByLabel('Private note').press('Enter');
    await expect
      .poll(async () => (await ctx.stack.db.query("select direction, twilio_sid, sent_by from messages where body = 'Offered 10% off'")).rows, {
        timeout: 10_000,
      })
      .toEqual([{ direction: 'note', twilio_sid: null, sent_by: me().id }]);
    await thread.locator('li.note', { hasText: 'Offered 10% off' }).getByText('Private note · You').waitFor();
    expect(ctx.stack.twilioStandIn!.created.map((c) => c.Body)).not.toContain('Offered 10% off');
    await panel.keyboard.press('Escape');
  });

  it('a message moves its row to the top on screen without moving an element of the page; the reading order follows the screen', async () => {
    // The test before leaves its thread with Escape: the thread may be open still, or closing.
    await panel
      .getByRole('button', { name: 'Back to conversations' })
      .click({ timeout: 2000 })
      .catch(() => undefined);
    await panel.getByRole('list', { name: 'Conversations' }).waitFor();
    const [ada, ben] = [customer(), customer()];
    await say(ada, 'Ada Order', 'first');
    await row(/Ada Order/).waitFor({ timeout: 10_000 });
    await say(ben, 'Ben Order', 'second');
    await expect.poll(() => topRowText(panel), { timeout: 10_000 }).toContain('Ben Order');
    const adaId = await conversationIdOf(ada);
    // Watch the list's children from now on, and mark Ada's row element.
    await panel.evaluate((id) => {
      const list = document.querySelector('.conversations')!;
      const seen = { moved: 0 };
      (window as unknown as { __listChanges: typeof seen }).__listChanges = seen;
      new MutationObserver((records) => {
        for (const r of records) seen.moved += r.removedNodes.length;
      }).observe(list, { childList: true });
      (document.getElementById(`conversation-row-${id}`) as HTMLElement & { __marked?: boolean }).__marked = true;
    }, adaId);
    await say(ada, 'Ada Order', 'again');
    await expect.poll(() => topRowText(panel), { timeout: 10_000 }).toContain('again');
    const after = await panel.evaluate((id) => {
      const list = document.querySelector('.conversations')!;
      const item = document.getElementById(`conversation-row-${id}`) as (HTMLElement & { __marked?: boolean }) | null;
      return {
        moved: (window as unknown as { __listChanges: { moved: number } }).__listChanges.moved,
        same: item?.__marked === true,
        readingOrder: (list.getAttribute('aria-owns') ?? '').split(' ').slice(0, 2),
        place: item?.getAttribute('aria-posinset'),
      };
    }, adaId);
    expect(after.moved).toBe(0); // no row taken out of the page and put back
    expect(after.same).toBe(true);
    expect(after.place).toBe('1');
    expect(after.readingOrder).toEqual([`conversation-row-${adaId}`, `conversation-row-${await conversationIdOf(ben)}`]);
  });

  it('a conversation coming onto the screen takes the element of the row it pushes off, at its own height; the focused row stays', async () => {
    // Crowd 0 writes and is answered: its row (no wait to show) is a line shorter than a waiting
    // customer's, and the list knows that height. Then more conversations than rows in the page
    // (those on screen and a few beyond), all waiting, push it out of the page.
    const crowd = Array.from({ length: 24 }, () => customer());
    await say(crowd[0]!, 'Crowd 0', 'hello 0');
    await row(/Crowd 0/).waitFor({ timeout: 10_000 });
    const ids = [await conversationIdOf(crowd[0]!)];
    expect((await api(ctx.stack, me().token, `/api/conversations/${ids[0]}/messages`, 'POST', { id: randomUUID(), body: 'On it' })).status).toBe(201);
    await expect
      .poll(() => panel.evaluate((id) => document.getElementById(`conversation-row-${id}`)?.querySelector('.waiting') === null, ids[0]), { timeout: 10_000 })
      .toBe(true);
    for (const [i, phone] of crowd.entries()) if (i > 0) await say(phone, `Crowd ${i}`, `hello ${i}`);
    await expect.poll(() => topRowText(panel), { timeout: 10_000 }).toContain('Crowd 23');
    for (const phone of crowd.slice(1, 3)) ids.push(await conversationIdOf(phone));
    const inPage = (id: string) => panel.evaluate((id) => document.getElementById(`conversation-row-${id}`) !== null, id);
    /** The rows from the top of the list down, in a run (the tab-stop row may be kept in the page further down). */
    const run = () =>
      panel.evaluate(() => {
        const at = (el: HTMLElement) => Number(el.getAttribute('aria-posinset'));
        const sorted = [...document.querySelectorAll<HTMLElement>('.conversation-item')].sort((a, b) => at(a) - at(b));
        const end = sorted.findIndex((el, i) => i > 0 && at(el) !== at(sorted[i - 1]!) + 1);
        return sorted.slice(0, end < 0 ? sorted.length : end).map((el) => el.id);
      });
    /** The list as the agent sees it: the top row, and each row of the run right below the one before it (no overlap, no gap). */
    const screenOf = (id: string) =>
      panel.evaluate((id) => {
        const top = document.getElementById(`conversation-row-${id}`);
        const y = (el: HTMLElement) => Number(/translate3d\([^,]*,\s*(-?[\d.]+)px/.exec(el.style.transform)?.[1]);
        const at = (el: HTMLElement) => Number(el.getAttribute('aria-posinset'));
        const sorted = [...document.querySelectorAll<HTMLElement>('.conversation-item')].sort((a, b) => at(a) - at(b));
        return {
          topPlace: top?.getAttribute('aria-posinset'),
          topY: top ? y(top) : null,
          topName: top?.querySelector('.name')?.textContent,
          stacked: sorted.every(
            (el, i) => i === 0 || at(el) !== at(sorted[i - 1]!) + 1 || Math.abs(y(el) - y(sorted[i - 1]!) - sorted[i - 1]!.offsetHeight) <= 1,
          ),
        };
      }, id);
    for (const id of ids) expect(await inPage(id)).toBe(false);

    // Crowd 1, as tall as the list knew it, writes again: it takes the element of the last row of
    // the run, which leaves the page; no element is added or removed.
    const leaving = (await run()).at(-1)!;
    const before = await panel.evaluate(() => {
      const changes = { added: 0, removed: 0 };
      (window as unknown as { __rowChanges: typeof changes }).__rowChanges = changes;
      new MutationObserver((records) => {
        for (const r of records) {
          changes.added += r.addedNodes.length;
          changes.removed += r.removedNodes.length;
        }
      }).observe(document.querySelector('.conversations')!, { childList: true });
      const items = [...document.querySelectorAll<HTMLElement>('.conversation-item')];
      for (const item of items) (item as HTMLElement & { __marked?: boolean }).__marked = true;
      return items.length;
    });
    await say(crowd[1]!, 'Crowd 1', 'back again');
    await expect.poll(() => screenOf(ids[1]!), { timeout: 10_000 }).toEqual({ topPlace: '1', topY: 0, topName: 'Crowd 1', stacked: true });
    expect(
      await panel.evaluate(
        ({ id, leaving }) => ({
          ...(window as unknown as { __rowChanges: { added: number; removed: number } }).__rowChanges,
          count: document.querySelectorAll('.conversation-item').length,
          reused: (document.getElementById(`conversation-row-${id}`) as (HTMLElement & { __marked?: boolean }) | null)?.__marked === true,
          leavingGone: document.getElementById(leaving) === null,
        }),
        { id: ids[1]!, leaving },
      ),
    ).toEqual({ added: 0, removed: 0, count: before, reused: true, leavingGone: true });

    // Crowd 0 writes again: waiting now, a line taller than the list knew it, as tall as the row
    // whose element it takes. The rows below it make room for the line.
    await say(crowd[0]!, 'Crowd 0', 'back again');
    await expect.poll(() => screenOf(ids[0]!), { timeout: 10_000 }).toEqual({ topPlace: '1', topY: 0, topName: 'Crowd 0', stacked: true });

    // The last row of the run has the keyboard focus, and a message pushes it down out of the
    // run: the row stays in the page and keeps the focus.
    const focused = (await run()).at(-1)!;
    await panel.evaluate((id) => document.querySelector<HTMLElement>(`#${CSS.escape(id)} button`)!.focus({ preventScroll: true }), focused);
    expect(await panel.evaluate(() => document.activeElement?.closest('.conversation-item')?.id)).toBe(focused);
    await say(crowd[2]!, 'Crowd 2', 'back too');
    await expect.poll(() => topRowText(panel), { timeout: 10_000 }).toContain('back too');
    expect(await panel.evaluate(() => document.activeElement?.closest('.conversation-item')?.id ?? null)).toBe(focused);
  });

  it('marks where the unread messages start, and opening clears the unread count and the toolbar badge', async () => {
    const kim = customer();
    await say(kim, 'Kim Ro', 'First, read later');
    await row(/Kim Ro/).waitFor({ timeout: 10_000 });
    await row(/Kim Ro/).click();
    await panel.getByRole('heading', { name: 'Kim Ro' }).waitFor();
    await panel.keyboard.press('Escape');
    // The worker knows the conversation is no longer on screen (else it reads what arrives).
    await expect
      .poll(() =>
        panel.evaluate(async () => ((await chrome.storage.session.get('viewing')).viewing as { conversationId?: string } | undefined)?.conversationId ?? null),
      )
      .toBeNull();
    // Other conversations' unread, once the badge has caught up: it is drawn at most once a second
    // (`BADGE_EVERY_MS`), so the same text over longer than that is the count.
    const settled = async () => {
      for (let last = await browser.badgeText(); ;) {
        await new Promise((r) => setTimeout(r, 1200));
        const now = await browser.badgeText();
        if (now === last) return now;
        last = now;
      }
    };
    const before = Number((await settled()) || 0);
    for (const body of ['one', 'two', 'three']) await say(kim, 'Kim Ro', body);
    await row(/Kim Ro/)
      .getByLabel('3 unread')
      .waitFor({ timeout: 10_000 });
    await expect.poll(() => browser.badgeText(), { timeout: 5000 }).toBe(String(before + 3));

    await row(/Kim Ro/).click();
    const thread = panel.getByRole('list', { name: 'Messages' });
    await thread.getByText('three').waitFor();
    const items = await thread
      .locator(':scope > li')
      .evaluateAll((lis) =>
        lis.map((li) => (li.classList.contains('new-marker') ? 'NEW' : li.classList.contains('day') ? 'DAY' : li.querySelector('.body')?.textContent)),
      );
    expect(items).toEqual(['DAY', 'First, read later', 'NEW', 'one', 'two', 'three']);
    expect(await thread.locator('li.new-marker').textContent()).toBe('3 new messages');
    await expect.poll(() => browser.badgeText(), { timeout: 5000 }).toBe(before ? String(before) : '');
    // A message arriving while the thread is open is read to screen readers (a polite live region).
    await say(kim, 'Kim Ro', 'four');
    await expect.poll(() => panel.locator('.thread [aria-live="polite"]').textContent(), { timeout: 10_000 }).toBe('New message: four');
    await panel.keyboard.press('Escape');
    // Read as it arrived on screen: the read state comes back from the server a moment later.
    await expect
      .poll(() =>
        row(/Kim Ro/)
          .getByLabel(/unread/)
          .count(),
      )
      .toBe(0);
  });
});
