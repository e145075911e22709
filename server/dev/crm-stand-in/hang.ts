import type { FastifyInstance } from 'fastify';
import type { Socket } from 'node:net';

/**
 * A CRM that accepts a call and never answers, for the timeouts' tests (docs/crm.md, "Timeouts").
 * While `calls` is set, each call whose `<METHOD> <path and query>` it matches hangs:
 * - `before`: nothing is done and nothing answered;
 * - `headers`: nothing is done, and the answer's headers (200, JSON) come, never its body;
 * - `after`: the call is done (a record made), and its answer never comes.
 * `answerAgain()` stops hanging and closes the connections held, as a CRM back to normal does.
 */
export interface StandInHang {
  calls: RegExp | null;
  when: 'before' | 'headers' | 'after';
  /** How many calls hung so far. */
  hung: number;
  answerAgain(): void;
}

/** Installs the hang on a stand-in's server (before its routes); closing the server closes the held connections. */
export function installHang(app: FastifyInstance): StandInHang {
  const held = new Set<Socket>();
  const matches = (method: string, url: string) => hang.calls !== null && hang.calls.test(`${method} ${url}`);
  const hold = (socket: Socket) => {
    hang.hung++;
    held.add(socket);
    socket.once('close', () => held.delete(socket));
  };
  const hang: StandInHang = {
    calls: null,
    when: 'before',
    hung: 0,
    answerAgain: () => {
      hang.calls = null;
      for (const socket of held) socket.destroy();
      held.clear();
    },
  };
  app.addHook('onRequest', async (req, reply) => {
    if (hang.when === 'after' || !matches(req.method, req.url)) return;
    reply.hijack();
    if (hang.when === 'headers') {
      reply.raw.writeHead(200, { 'content-type': 'application/json' });
      reply.raw.flushHeaders();
    }
    hold(req.raw.socket);
  });
  // The call was done; its answer is held for ever (a hook that never ends keeps it from being sent).
  app.addHook('onSend', async (req, reply, payload) => {
    if (hang.when !== 'after' || !matches(req.method, req.url) || reply.statusCode >= 400) return payload;
    hold(req.raw.socket);
    return new Promise<never>(() => undefined);
  });
  app.addHook('preClose', async () => hang.answerAgain());
  return hang;
}
