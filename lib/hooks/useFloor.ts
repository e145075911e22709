import { useEffect, useState } from 'react';
import type { FloorResponse } from '../contract/reports';
import { holdPort } from '../messaging/hold-port';
import { FLOOR_PORT, type FloorPortNotice } from '../messaging/protocol';
import { floorItem } from '../storage/items';
import { useStorageItem } from './useStorageItem';

/** Whether the page is on screen (a hidden tab or a minimised window is not). */
function usePageVisible(): boolean {
  const [visible, setVisible] = useState(() => document.visibilityState === 'visible');
  useEffect(() => {
    const update = () => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', update);
    return () => document.removeEventListener('visibilitychange', update);
  }, []);
  return visible;
}

/**
 * The live floor (docs/reports.md, "Floor"): while it is shown (`enabled` and the page visible)
 * the page holds a `FLOOR_PORT` port, and the background keeps `floorItem` current as the server
 * tells it of changes. The port goes with the view, the page's tab hidden, or the page itself
 * (closed or killed), so the background stops reading then, whether or not this cleanup runs.
 */
export function useFloor(enabled: boolean): { floor: FloorResponse | null; error: string | null } {
  const [error, setError] = useState<string | null>(null);
  const stored = useStorageItem(floorItem);
  const visible = usePageVisible();
  const shown = enabled && visible;
  useEffect(() => {
    if (!shown) return;
    // The worker stopped: a new one reads the floor again when the page connects again.
    return holdPort<FloorPortNotice>(FLOOR_PORT, {
      connect: () => setError(null),
      message: (notice) => notice.type === 'error' && setError(notice.message),
    });
  }, [shown]);
  return { floor: enabled ? (stored ?? null) : null, error };
}
