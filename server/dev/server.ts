import { serve } from '../serve';
import { startLocalStack } from './local-stack';

/**
 * `npm run server`: the server alone from the TypeScript sources; without DATABASE_URL, with the
 * local stack (embedded PostgreSQL, local Supabase, stand-ins), else as in production.
 */
serve(startLocalStack);
