import { useState } from 'react';
import type { Result } from '@/lib/messaging/protocol';

/** Runs an admin request and keeps its error to show (the data itself comes back through `adminItem`). */
export function useAdminAction() {
  const [error, setError] = useState<string | null>(null);
  const run = async <T>(request: Promise<Result<T>>): Promise<T | null> => {
    setError(null);
    const r = await request;
    if ('error' in r) {
      setError(r.error);
      return null;
    }
    return r.data;
  };
  return { error, run };
}

/** How a section runs an admin request: its error shows at the top of the admin view. */
export type RunAdminAction = ReturnType<typeof useAdminAction>['run'];
