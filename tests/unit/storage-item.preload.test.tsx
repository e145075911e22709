import { renderHook, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AgentProfile } from '@/lib/contract/models';
import { preloadItems, useStorageItem } from '@/lib/hooks/useStorageItem';
import { agentItem, outboxItem, updateRequiredItem } from '@/lib/storage/items';

const agent = (displayName: string): AgentProfile => ({ id: 'a1', organisationId: 'o1', displayName, email: null, role: 'agent' });

/** Every value a component rendered with, in order. */
function renders<T>(use: () => T) {
  const seen: T[] = [];
  renderHook(() => seen.push(use()));
  return seen;
}

describe('storage items read ahead for a page’s first render (preloadItems)', () => {
  it('gives the first render the stored value instead of nothing', async () => {
    await agentItem.setValue(agent('Ana'));
    await preloadItems([agentItem]);
    expect(renders(() => useStorageItem(agentItem))[0]).toEqual(agent('Ana'));
  });

  it('keeps what it read current: a change after the read is what a later first render gets', async () => {
    await updateRequiredItem.setValue(null);
    await preloadItems([updateRequiredItem]);
    const notice = { current: '1.0.0', minimum: '2.0.0', message: 'Update Switchboard' };
    await updateRequiredItem.setValue(notice);
    await waitFor(() => expect(renders(() => useStorageItem(updateRequiredItem))[0]).toEqual(notice));
  });

  it('an item not read ahead starts unknown, then comes', async () => {
    await outboxItem.setValue([]);
    const seen = renders(() => useStorageItem(outboxItem));
    expect(seen[0]).toBeUndefined();
    await waitFor(() => expect(seen.at(-1)).toEqual([]));
  });
});
