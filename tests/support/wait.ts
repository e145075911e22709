import { vi } from 'vitest';

/**
 * The one way tests wait for a state: polls `check` (sync or async) until it is true, and fails
 * saying `what` it waited for after `timeout` ms. Built on Vitest's `vi.waitFor`. Prefer waiting for the event that
 * proves the state (a socket event, a marker message) where there is one.
 * @example await until(() => sentWith('Hi').length === 1, { what: 'the reply reached Twilio' });
 */
export async function until(
  check: () => boolean | Promise<boolean>,
  { what = 'the condition', timeout = 20_000 }: { what?: string; timeout?: number } = {},
): Promise<void> {
  await vi.waitFor(
    async () => {
      if (!(await check())) throw new Error(`timed out waiting for ${what}`);
    },
    { timeout, interval: 25 },
  );
}
