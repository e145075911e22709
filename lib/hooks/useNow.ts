import { useEffect, useState } from 'react';

/** The current time, re-rendering every `ms` while `active` (so expiring indicators disappear). */
export function useNow(active: boolean, ms = 500): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [active, ms]);
  return active ? now : Date.now();
}
