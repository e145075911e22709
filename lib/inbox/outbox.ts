import type { MessageView } from '../contract/models';
import { coalesced } from './coalesce';
import type { PendingReply } from './types';

/** What the outbox needs: the server's two write calls, the stored queue, and the inbox. */
export interface OutboxDeps {
  reply(p: PendingReply): Promise<{ message: MessageView }>;
  note(p: PendingReply): Promise<{ message: MessageView }>;
  load(): Promise<PendingReply[]>;
  save(queue: PendingReply[]): Promise<void>;
  /** Puts a message (the server's copy, or the pending one marked failed) into the inbox. */
  apply(message: MessageView): Promise<void>;
  /** The pending reply as the thread shows it. */
  pendingMessage(p: PendingReply): MessageView;
  /** An error that says nothing about the reply itself (offline, server away, token expired): keep it. */
  isTransient(err: unknown): boolean;
  now?: () => Date;
}

/**
 * The extension's outbox, the rule that makes a reply go out exactly once: each reply has its id
 * (the server's idempotency key) and waits in storage until the server has it. Flushing hands the
 * queue over oldest first, one at a time; a transient failure stops the flush and keeps the reply
 * for the next connection; a refusal (window closed, bad template…) marks it failed for the agent
 * to see and retry, and takes it out of the queue.
 */
export function createOutbox(deps: OutboxDeps) {
  // The stored queue is read, changed and written back: one change at a time, or two replies sent
  // at once (a document's text and its file are two) would each write back a queue without the other.
  let changes: Promise<unknown> = Promise.resolve();
  const change = (edit: (queue: PendingReply[]) => PendingReply[]): Promise<void> => {
    const run = changes.then(async () => deps.save(edit(await deps.load())));
    changes = run.catch(() => undefined);
    return run;
  };
  // Oldest first, one at a time; a reply queued while a flush was finishing makes it go round once more.
  const flush = coalesced(async () => {
    for (let p = (await deps.load())[0]; p; p = (await deps.load())[0]) {
      try {
        const { message } = p.note ? await deps.note(p) : await deps.reply(p);
        await deps.apply(message);
      } catch (err) {
        if (deps.isTransient(err)) return false;
        const updatedAt = (deps.now?.() ?? new Date()).toISOString();
        await deps.apply({ ...deps.pendingMessage(p), status: 'failed', errorMessage: (err as Error).message, updatedAt });
      }
      const done = p.id;
      await change((queue) => queue.filter((q) => q.id !== done));
    }
  });
  return {
    /** Shows a reply at once as pending, queues it, and tries to hand it over. */
    async add(p: PendingReply): Promise<void> {
      await deps.apply(deps.pendingMessage(p));
      await change((queue) => [...queue, p]);
      await flush();
    },
    flush,
  };
}
