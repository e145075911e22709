import type { CountsResponse } from '../../lib/contract/api';

/** How long an organisation's changes gather before one `counts:update` carries them (and the least time between two). */
export const COUNTS_INTERVAL_MS = 1000;

/**
 * `counts:update` (docs/delivery-scope.md, "Counts"): an agent's client no longer receives every
 * conversation of its organisation, so the organisation's counts come to it as one small event
 * instead. Told that an organisation's conversations changed, this waits `intervalMs`, reads the
 * counts once and emits them: every change of that interval goes in the one read. A change while
 * a read is in flight opens the next interval when it ends, so one organisation's reads never
 * overlap (an older answer never lands after a newer one) and its events are at least an interval
 * apart. Nothing is read or sent without a change, and counts equal to the last ones sent are not
 * sent again (a new message changes its conversation, rarely a count: an event to every socket of
 * a large organisation each second held the server's event loop for tens of milliseconds; a
 * client reads the counts on connecting, so it misses nothing). Not in a cluster (`clustered`):
 * other instances send the same organisation's counts too, so what its clients last received may
 * not be what this instance sent, and counts equal to this instance's last could be newer than
 * theirs. A failed read is tried again an interval later.
 */
export function createCountsFeed(deps: {
  read(organisationId: string): Promise<CountsResponse>;
  emit(organisationId: string, counts: CountsResponse): void;
  onError(err: unknown, organisationId: string): void;
  intervalMs?: number;
  /** Other instances send counts to the same organisations (the Redis adapter): equal counts are sent again. */
  clustered?: boolean;
}) {
  const intervalMs = deps.intervalMs ?? COUNTS_INTERVAL_MS;
  /** Organisations with an interval open or a read in flight; `again`: changed since that read began. */
  const orgs = new Map<string, { timer: ReturnType<typeof setTimeout> | null; again: boolean }>();
  /** The counts last sent to each organisation (as JSON): the same again is not sent. */
  const sent = new Map<string, string>();
  let stopped = false;

  const wait = (organisationId: string) => {
    const timer = setTimeout(() => void flush(organisationId), intervalMs);
    timer.unref?.();
    return timer;
  };
  const flush = async (organisationId: string) => {
    const state = orgs.get(organisationId)!;
    state.timer = null;
    try {
      const counts = await deps.read(organisationId);
      const said = JSON.stringify(counts);
      if (!stopped && (deps.clustered || sent.get(organisationId) !== said)) {
        sent.set(organisationId, said);
        deps.emit(organisationId, counts);
      }
    } catch (err) {
      state.again = true;
      deps.onError(err, organisationId);
    }
    if (stopped) return;
    if (!state.again) return void orgs.delete(organisationId);
    state.again = false;
    state.timer = wait(organisationId);
  };

  return {
    /** The organisation's conversations may have changed (created, status, assignee, channel). */
    changed(organisationId: string): void {
      if (stopped) return;
      const state = orgs.get(organisationId);
      if (!state) orgs.set(organisationId, { timer: wait(organisationId), again: false });
      else if (!state.timer) state.again = true; // a read is in flight: it may not see this change
    },
    /** Nothing more is read or sent (the server is closing). */
    stop(): void {
      stopped = true;
      for (const state of orgs.values()) if (state.timer) clearTimeout(state.timer);
      orgs.clear();
      sent.clear();
    },
  };
}

export type CountsFeed = ReturnType<typeof createCountsFeed>;
