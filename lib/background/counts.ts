import type { ApiClient } from '../api/client';
import type { CountsResponse } from '../contract/api';
import { countsItem } from '../storage/items';
import type { SwitchboardSocket } from './links/socket-client';

/**
 * The organisation's conversation counts in `countsItem` (docs/delivery-scope.md, "Counts"): read
 * on each (re)connect, when events may have been missed, and replaced by each `counts:update`. An
 * answer that comes back after a newer event is dropped (it counted an older state); counts equal
 * to those stored are not written again (nothing re-renders for them).
 */
export function createCounts(api: Pick<ApiClient, 'counts'>) {
  /** Events received: a read that saw one arrive meanwhile is older than what it replaced. */
  let events = 0;
  /** Writes one at a time, in the order the counts came (each compares with what the last one stored). */
  let writes = Promise.resolve();
  const store = (counts: CountsResponse) =>
    (writes = writes
      .then(async () => {
        if (JSON.stringify(await countsItem.getValue()) !== JSON.stringify(counts)) await countsItem.setValue(counts);
      })
      .catch(() => {
        /* storage refused: the next counts try again */
      }));
  return {
    /** Reads the counts now (after a (re)connect); a failure keeps the last ones until the next event or connect. */
    async refresh(): Promise<void> {
      const seen = events;
      try {
        const counts = await api.counts();
        if (seen === events) await store(counts);
      } catch {
        /* kept from the last read; read again on the next connection */
      }
    },
    /** Each `counts:update` replaces the stored counts. */
    follow(s: SwitchboardSocket): void {
      s.on('counts:update', (counts) => {
        events++;
        void store(counts);
      });
    },
  };
}
