import type { ReplyContent } from '../../api/client';
import { readInbox } from '../../inbox/store';
import type { PendingReply } from '../../inbox/types';
import type { BackgroundController } from '../controller';
import { done, type Current, type Handlers } from './types';

/**
 * The composer: replies and notes go through the outbox. A reply shows at once as pending (its id
 * is ours, so every later copy of it, from any path, merges with it) and waits in the stored
 * outbox until the server has it. Offline or with the server away, it stays there and goes out
 * once when a connection is back; the server sends it through Twilio once, whatever the retries
 * (the id is the idempotency key).
 */
export function composerHandlers(current: Current<'api' | 'outbox' | 'rooms'>) {
  return {
    'composer:typing': async ({ conversationId, typing }) => done((await current()).rooms.typing(conversationId, typing)),
    'composer:send': async ({ conversationId, ...content }) => done(await send(await current(), conversationId, content)),
    // A failed reply's text (and file) again, as a new message.
    'composer:retry': async ({ conversationId, messageId }) => {
      const parts = await current();
      const failed = (await readInbox()).messages[conversationId]?.find((m) => m.id === messageId);
      if (!failed || failed.direction !== 'outbound' || !['failed', 'undelivered'].includes(failed.status))
        throw new Error('only a failed reply can be retried');
      const file = failed.media[0];
      const upload = file?.uploadId ? { id: file.uploadId, contentType: file.contentType, name: file.name ?? 'file', size: file.size ?? 1 } : undefined;
      return done(await send(parts, conversationId, { body: failed.body || undefined, mediaUrl: file?.url, upload }));
    },
    // A private note: shown at once, kept in the outbox until the server has it, like a reply.
    'composer:note': async ({ conversationId, body }) => done(await (await current()).outbox.add({ ...pending(conversationId, { body }), note: true })),
    'composer:templates': async ({ conversationId }) => (await current()).api.templates(conversationId),
    // The side panel uploads the file itself (with progress and cancel, which a worker's fetch cannot give).
    'composer:uploadTicket': async () => (await current()).api.uploadTicket(),
  } satisfies Partial<Handlers>;
}

async function send({ outbox, rooms }: Pick<BackgroundController, 'outbox' | 'rooms'>, conversationId: string, content: ReplyContent): Promise<void> {
  rooms.typing(conversationId, false);
  await outbox.add(pending(conversationId, content));
}

const pending = (conversationId: string, content: ReplyContent): PendingReply => ({
  id: crypto.randomUUID(),
  conversationId,
  content,
  createdAt: new Date().toISOString(),
});
