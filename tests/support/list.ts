import type { Locator, Page } from 'playwright-core';

/**
 * The side panel's conversation rows as the agent sees them, top first: the list keeps its rows in
 * the page in a stable order and places them by transform (components/ConversationList.tsx), so
 * the order on screen is each row's `aria-posinset`, not the page's order.
 */
export async function rowNamesOnScreen(within: Page | Locator): Promise<string[]> {
  const rows = await within.locator('.conversation-item').evaluateAll((items) =>
    items
      .map((item) => ({ at: Number(item.getAttribute('aria-posinset')), name: item.querySelector('.name')?.textContent ?? '' }))
      .sort((a, b) => a.at - b.at)
      .map((r) => r.name),
  );
  return rows;
}

/** The top row on screen (its text). */
export async function topRowText(within: Page | Locator): Promise<string> {
  return (await within.locator('.conversation-item[aria-posinset="1"]').textContent()) ?? '';
}
