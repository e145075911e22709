import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The demo CRM page (`/demo/crm`): customers' numbers for the extension's badges to find. No data behind it. */
export function registerDemoRoutes(app: FastifyInstance): void {
  const page = readFileSync(join(import.meta.dirname, 'crm.html'), 'utf8');
  app.get('/demo/crm', async (_req, reply) => reply.type('text/html; charset=utf-8').send(page));
  app.get('/', async (_req, reply) => reply.redirect('/demo/crm'));
}
