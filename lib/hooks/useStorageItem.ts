import { useEffect, useState } from 'react';
import { storage, type WxtStorageItem } from 'wxt/utils/storage';

type Item<T> = WxtStorageItem<T, Record<string, unknown>>;

/** Values read ahead for a page's first render (`preloadItems`), kept current, by key. */
const preloaded = new Map<string, unknown>();

/**
 * Reads `items` in one go (a storage round trip per area, not one per item, each queued behind the
 * others) so a page's first render has them: `useStorageItem` starts from these, then reads and
 * watches as always. For items without migrations (this read does not wait for them).
 * @example preloadItems([languageItem, agentItem]).finally(render)
 */
export async function preloadItems(items: Array<Item<unknown>>): Promise<void> {
  for (const item of items) item.watch((v) => preloaded.set(item.key, v));
  for (const { key, value } of await storage.getItems(items)) if (!preloaded.has(key)) preloaded.set(key, value);
}

/** The current value of a storage item, kept up to date; `undefined` until the first read (unless preloaded). */
export function useStorageItem<T>(item: Item<T>): T | undefined {
  const [value, setValue] = useState<T | undefined>(() => preloaded.get(item.key) as T | undefined);
  useEffect(() => {
    let live = true;
    void item.getValue().then((v) => live && setValue(v));
    const unwatch = item.watch((v) => setValue(v));
    return () => {
      live = false;
      unwatch();
    };
  }, [item]);
  return value;
}
