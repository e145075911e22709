import { performance } from 'node:perf_hooks';
import http from 'node:http';
import twilio from 'twilio';
import { inboundParams } from '../server/dev/twilio-stand-in/inbound';
import type { RemoteStack } from './remote-stack';
import { atRate, sleep } from './stats';

/**
 * A lean sender of signed Twilio webhooks for the load generator: node:http over kept-alive
 * connections, the form and signature prepared ahead. (fetch costs the load generator several
 * times more CPU per request, and the load generator shares the machine with the server.)
 */
export function webhookSender(url: string, opts: { maxSockets?: number } = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64 });
  const target = new URL(url);
  return {
    /** Form fields and their X-Twilio-Signature over `signedUrl` (what Twilio signs: the public URL). */
    prepare(authToken: string, signedUrl: string, params: Record<string, string>) {
      return { form: new URLSearchParams(params).toString(), signature: twilio.getExpectedTwilioSignature(authToken, signedUrl, params) };
    },
    /** Resolves with the HTTP status once the whole answer has arrived. */
    post(prepared: { form: string; signature: string }): Promise<number> {
      return new Promise((resolve, reject) => {
        const req = http.request(
          {
            agent,
            host: target.hostname,
            port: target.port,
            path: target.pathname,
            method: 'POST',
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              'content-length': Buffer.byteLength(prepared.form),
              'x-twilio-signature': prepared.signature,
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(prepared.form);
      });
    },
    close: () => agent.destroy(),
  };
}

/**
 * `total` signed inbound webhooks to one number, each from the customer `from(i)` (new ones, or a few in turn) and
 * with a body of its own (`body(i)`, else `<step>-<i>`, to find it where it arrives), prepared before the clock
 * starts so the load generator's signing is not timed. `run` posts them at `rate` a second, noting
 * when each body went in `sentAt`, then waits (10 s at most) until `arrived()` says all came.
 */
export function newCustomersWriting(
  stack: Pick<RemoteStack, 'serverUrl' | 'publicUrl' | 'twilio'>,
  to: string,
  opts: { total: number; step: string; from(i: number): string; body?(i: number): string },
) {
  const sender = webhookSender(`${stack.serverUrl}/api/webhooks/twilio`);
  const requests = Array.from({ length: opts.total }, (_, i) => {
    const body = opts.body?.(i) ?? `${opts.step}-${i}`;
    const params = inboundParams({ accountSid: stack.twilio.accountSid, from: opts.from(i), to, body });
    return { body, ...sender.prepare(stack.twilio.authToken, `${stack.publicUrl}/api/webhooks/twilio`, params) };
  });
  return {
    async run(rate: number, sentAt: Map<string, number>, arrived: () => boolean): Promise<void> {
      try {
        await atRate(requests.length, rate, (i) => {
          const r = requests[i]!;
          sentAt.set(r.body, performance.now());
          return sender.post(r);
        });
        const until = Date.now() + 10_000;
        while (!arrived() && Date.now() < until) await sleep(50);
      } finally {
        sender.close();
      }
    },
  };
}
