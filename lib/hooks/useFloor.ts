import { useEffect, useState } from 'react';
import type { FloorResponse } from '../contract/reports';
import { sendMessage, unwrap } from '../messaging/protocol';
import { floorItem } from '../storage/items';
import { useStorageItem } from './useStorageItem';

/**
 * The live floor (docs/reports.md, "Floor"): asked of the background when the view opens, then
 * whatever the background writes to `floorItem` as the server tells it of changes; the view
 * closing tells the background to stop reading.
 */
export function useFloor(enabled: boolean): { floor: FloorResponse | null; error: string | null } {
  const [error, setError] = useState<string | null>(null);
  const stored = useStorageItem(floorItem);
  useEffect(() => {
    if (!enabled) return;
    unwrap(sendMessage('reports:floor', { open: true })).then(
      () => setError(null),
      (err: Error) => setError(err.message),
    );
    return () => void sendMessage('reports:floor', { open: false }).catch(() => {});
  }, [enabled]);
  return { floor: enabled ? (stored ?? null) : null, error };
}
