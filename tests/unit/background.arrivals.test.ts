import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { expectMessages, receiveConversationRow, receiveMessage } from '@/lib/background/arrivals';
import { addConversation, applyMessage } from '@/lib/inbox/state';
import { forgetInbox, onInboxPatch, readInbox, updateInbox } from '@/lib/inbox/store';
import { conversation, message } from '../support/views';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const GRACE_MS = 300;

/**
 * One copy per message (docs/delivery-scope.md): while Realtime brings the rows, Socket.IO
 * announces each new message by id only. The worker does nothing for one Realtime brought, and
 * catches up (once) for those still missing after the grace.
 */
describe('message ids announced while Realtime brings the rows', () => {
  let catchUps = 0;
  let expect_: ReturnType<typeof expectMessages>;
  const arrives = (id: string) => updateInbox((s) => applyMessage(s, message(id, { conversationId: 'c1' })));

  beforeEach(async () => {
    fakeBrowser.reset();
    await forgetInbox();
    await updateInbox((s) => addConversation(s, conversation('c1')));
    catchUps = 0;
    expect_ = expectMessages(async () => void catchUps++, GRACE_MS);
  });

  it('costs nothing for a message Realtime brought before its id', async () => {
    await arrives('m1');
    await expect_('m1');
    await sleep(GRACE_MS * 2);
    expect(catchUps).toBe(0);
  });

  it('waits for a row that comes after its id, and does not catch up when it came', async () => {
    await expect_('m2');
    await arrives('m2');
    await sleep(GRACE_MS * 2);
    expect(catchUps).toBe(0);
  });

  it('catches up once for the ids whose rows never came, and again for a later one', async () => {
    await Promise.all(['m3', 'm4', 'm5'].map((id) => expect_(id)));
    await arrives('m4');
    await vi.waitFor(() => expect(catchUps).toBe(1), { timeout: 5000, interval: 20 });
    await sleep(GRACE_MS * 2);
    expect(catchUps).toBe(1); // one for the three
    await expect_('m6');
    await vi.waitFor(() => expect(catchUps).toBe(2), { timeout: 5000, interval: 20 });
  });

  it('gives each id its own grace: one that came late is not looked for with the earlier ones', async () => {
    const graceMs = 1000;
    const own = expectMessages(async () => void catchUps++, graceMs);
    await own('m8');
    await arrives('m8');
    await sleep(graceMs * 0.6);
    await own('m9'); // its row is on its way past m8's grace
    await sleep(graceMs * 0.6);
    await arrives('m9'); // well before its own grace ends
    await sleep(graceMs);
    expect(catchUps).toBe(0);
  });

  it('tries a failed catch-up again until one succeeds, and forgets the ids once stopped', async () => {
    let calls = 0;
    const flaky = expectMessages(async () => {
      if (++calls === 1) throw new Error('503: the server is busy');
    }, 50);
    await flaky('m10');
    await vi.waitFor(() => expect(calls).toBe(2), { timeout: 5000, interval: 20 }); // the backoff's first step is at most a second
    await sleep(300);
    expect(calls).toBe(2);
    const stopped = expectMessages(async () => void calls++, 50);
    await stopped('m11');
    stopped.stop();
    await sleep(200);
    expect(calls).toBe(2);
  });
});

describe('a Realtime row of a conversation the worker does not know', () => {
  beforeEach(async () => {
    fakeBrowser.reset();
    await forgetInbox();
  });

  it('is left to the catch-up, which brings the conversation and its contact with it', async () => {
    let catchUps = 0;
    const markRead = () => Promise.resolve();
    await receiveMessage(message('first', { conversationId: 'new' }), undefined, { markRead, onUnknown: () => catchUps++ });
    expect(catchUps).toBe(1);
    const state = await readInbox();
    expect(state.messages.new).toBeUndefined();
    expect(state.seen).not.toContain('first'); // announced when the catch-up brings it, with its customer's name
    // A known conversation's row is applied at once, with no catch-up.
    await updateInbox((s) => addConversation(s, conversation('known')));
    await receiveMessage(message('second', { conversationId: 'known' }), undefined, { markRead, onUnknown: () => catchUps++ });
    expect(catchUps).toBe(1);
    expect((await readInbox()).messages.known!.map((m) => m.id)).toEqual(['second']);
  });
});

describe('a message and its conversation over Realtime', () => {
  beforeEach(async () => {
    fakeBrowser.reset();
    await forgetInbox();
    await updateInbox((s) => addConversation(s, conversation('c1', { channelId: 'ch1', version: 1 })));
    await sleep(50); // past the last flush's batching window
  });

  it('make one patch (one render of the side panel), though they come as two frames a moment apart', async () => {
    const patches: string[][] = [];
    const stop = onInboxPatch((patch) => patches.push([...Object.keys(patch.conversations), ...Object.keys({ ...patch.messages, ...patch.threads })]));
    const row = { id: 'c1', channel_id: 'ch1', last_message_preview: 'hello', last_message_at: new Date().toISOString(), version: 2, status: 'open' };
    const arrived = receiveMessage(message('m7', { conversationId: 'c1', direction: 'outbound' }), undefined, {
      markRead: () => Promise.resolve(),
      onUnknown: () => {},
    });
    await new Promise((r) => setTimeout(r, 1)); // the next frame
    await Promise.all([arrived, receiveConversationRow(row, () => {})]);
    stop();
    expect(patches).toEqual([['c1', 'c1']]);
    expect((await readInbox()).conversations.c1!.lastMessagePreview).toBe('hello');
  });
});
