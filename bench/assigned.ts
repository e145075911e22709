import { createApiClient } from '../lib/api/client';
import { newCustomersWriting } from './http';
import type { RemoteStack } from './remote-stack';

/**
 * Conversations assigned before a measured window, as agents do it: each customer of `phones`
 * writes once (`<step>-<k>`, a new conversation each), then colleague k % n assigns customer k's
 * conversation through the API to `assignee(colleague)` (themselves, or the measured agent).
 */
export async function conversationsAssigned(
  stack: RemoteStack,
  org: { id: string; number: string },
  opts: { phones: string[]; step: string; colleagues: Array<{ id: string; token: string }>; assignee(by: { id: string }): string },
): Promise<void> {
  const { phones, colleagues } = opts;
  await newCustomersWriting(stack, org.number, { total: phones.length, step: opts.step, from: (i) => phones[i]! }).run(50, new Map(), () => true);
  const conversationOf = new Map(
    (
      await stack.db.query<{ id: string; phone: string }>(
        'select c.id, ct.phone_e164 as phone from conversations c join contacts ct on ct.id = c.contact_id where c.organisation_id = $1 and ct.phone_e164 = any($2)',
        [org.id, phones],
      )
    ).rows.map((r) => [r.phone, r.id]),
  );
  await Promise.all(
    phones.map((phone, k) => {
      const by = colleagues[k % colleagues.length]!;
      const api = createApiClient({ serverUrl: stack.serverUrl, getToken: async () => by.token });
      return api.assign(conversationOf.get(phone)!, opts.assignee(by));
    }),
  );
}
