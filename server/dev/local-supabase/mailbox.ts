import type { LocalMail } from './auth';

/**
 * The local stack's mailbox: e-mails its Auth would send (invitations) are kept here instead, as
 * the Supabase CLI's local mail catcher does. `npm start` prints each; tests read them.
 */
export interface LocalMailbox {
  readonly messages: readonly LocalMail[];
  deliver(mail: LocalMail): void;
  /** Calls `fn` for each e-mail from now on; answers the unsubscribe. */
  subscribe(fn: (mail: LocalMail) => void): () => void;
}

export function createMailbox(): LocalMailbox {
  const messages: LocalMail[] = [];
  const listeners = new Set<(mail: LocalMail) => void>();
  return {
    messages,
    deliver(mail) {
      messages.push(mail);
      for (const fn of listeners) fn(mail);
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}
