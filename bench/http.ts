import http from 'node:http';
import twilio from 'twilio';

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
