import { serve } from './serve';
import { startStack } from './stack';

/**
 * The production server (`npm run build:server` bundles it; `npm run serve` runs the bundle):
 * hosted Supabase, from the environment. Nothing of server/dev/ is reachable from here.
 */
serve(startStack);
