import { describe, expect, it } from 'vitest';
import { runSoak } from '../soak/soak';

/** A short run of the soak test (`npm run soak` runs the long one and writes docs/soak.md). */
describe('Load with faults (short soak)', () => {
  it('loses and doubles nothing while sockets drop, an instance dies and restarts, and PostgreSQL goes away', async () => {
    const r = await runSoak({ seconds: 24, rate: 10, agents: 5, customers: 20, outageMs: 2000 });
    // The faults happened...
    expect(r.instanceKills).toBe(1);
    expect(r.socketDrops).toBeGreaterThan(10);
    expect(r.databaseOutageMs).toBe(2000);
    expect(r.answered503 + r.refusedConnections).toBeGreaterThan(0); // Twilio had to retry
    // ...and every acknowledged webhook is stored once, and every agent agrees with the database.
    expect(r.storedMessages).toBe(r.webhooksSent);
    expect(r.duplicateRows).toBe(0);
    expect(r.agentsLost).toEqual([0, 0, 0, 0, 0]);
    expect(r.agentsDoubled).toEqual([0, 0, 0, 0, 0]);
    expect(r.agentsCountersWrong).toEqual([0, 0, 0, 0, 0]);
  }, 180_000);
});
