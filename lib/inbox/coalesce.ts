/**
 * A job that runs one at a time: asked while it runs, it runs once more right after (however many
 * times it was asked), never twice at once. `once` returning `false` ends it there (offline: the
 * next ask tries again). Used by the catch-up sync and the outbox's flush.
 */
export function coalesced(once: () => Promise<boolean | void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        if ((await once()) === false) return;
      } while (again);
    })().finally(() => {
      running = null;
    });
    return running;
  };
}
