// Fixture: starts the embedded PostgreSQL and waits to be killed (used to leave an orphan behind).
import { startEmbeddedPostgres } from '../../server/dev/embedded-postgres';
import { createLogger } from '../../server/logger';

const [home, port] = process.argv.slice(2);
await startEmbeddedPostgres({ home: home!, port: Number(port), password: 'pw', log: createLogger('silent') });
console.log('up');
setInterval(() => {}, 1000);
