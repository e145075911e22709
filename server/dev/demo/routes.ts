import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The demo CRM page (`/demo/crm`): customers' numbers for the extension's badges to find, and,
 * on the local stack, each customer's timeline from the CRM stand-in (`crmUrl`), where
 * Switchboard's write-back logs their WhatsApp conversations.
 */
export function registerDemoRoutes(app: FastifyInstance, opts: { crmUrl: string | null }): void {
  const page = readFileSync(join(import.meta.dirname, 'crm.html'), 'utf8').replace('data-crm=""', `data-crm="${opts.crmUrl ? encodeURI(opts.crmUrl) : ''}"`);
  app.get('/demo/crm', async (_req, reply) => reply.type('text/html; charset=utf-8').send(page));
  app.get('/', async (_req, reply) => reply.redirect('/demo/crm'));
}
