import type { WxtStorageItem } from 'wxt/utils/storage';

/**
 * A storage item's value kept in memory and followed with a watch, for values read on every
 * inbox change but written rarely (a storage read is a round trip to the browser each time).
 */
export function mirror<T>(item: WxtStorageItem<T, Record<string, unknown>>): () => Promise<T> {
  let value: Promise<T> | null = null;
  return () => {
    if (!value) {
      value = item.getValue();
      item.watch((v) => {
        value = Promise.resolve(v);
      });
    }
    return value;
  };
}
