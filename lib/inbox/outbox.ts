import type { MessageView } from '../contract/models';
import type { PendingReply } from './store';

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
  let flushing: Promise<void> | null = null;
  const flush = (): Promise<void> => {
    flushing ??= (async () => {
      for (let p = (await deps.load())[0]; p; p = (await deps.load())[0]) {
        try {
          const { message } = p.note ? await deps.note(p) : await deps.reply(p);
          await deps.apply(message);
        } catch (err) {
          if (deps.isTransient(err)) return;
          const updatedAt = (deps.now?.() ?? new Date()).toISOString();
          await deps.apply({ ...deps.pendingMessage(p), status: 'failed', errorMessage: (err as Error).message, updatedAt });
        }
        const done = p.id;
        await deps.save((await deps.load()).filter((q) => q.id !== done));
      }
    })().finally(() => {
      flushing = null;
    });
    return flushing;
  };
  return {
    /** Shows a reply at once as pending, queues it, and tries to hand it over. */
    async add(p: PendingReply): Promise<void> {
      await deps.apply(deps.pendingMessage(p));
      await deps.save([...(await deps.load()), p]);
      await flush();
    },
    flush,
  };
}
