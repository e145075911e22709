import type pg from 'pg';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createSender } from '../../server/outbound/sender';
import type { TwilioClient } from '../../server/outbound/twilio-client';

/**
 * A server stopping closes its database pool right after the sender's stop: a query of the
 * sender's still under way then failed, and logged an error at every shutdown that met one.
 */
describe("the reply sender's stop", () => {
  it('waits for the query its sweep and pump have under way', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const queries = { started: 0, finished: 0 };
    const db = {
      query: async () => {
        queries.started++;
        await gate;
        queries.finished++;
        return { rows: [] };
      },
    } as unknown as pg.Pool;
    const sender = createSender({
      db,
      twilio: {} as TwilioClient,
      statusCallbackUrl: () => '',
      uploadUrl: () => '',
      log: pino({ level: 'silent' }),
      onStatus: () => {},
    });
    expect(queries.started).toBe(1); // the startup sweep's first query
    let stopped = false;
    const stopping = sender.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);
    open();
    await stopping;
    expect(queries).toEqual({ started: 1, finished: 1 }); // and no claim after the stop
  });
});
