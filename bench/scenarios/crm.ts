import type { CrmConnectResponse, CrmVendor } from '../../lib/contract/api';
import { budgetShares } from '../../server/crm/write-back';
import { CRM_VENDORS } from '../../server/crm/vendors';
import { oauthBrowser } from '../../tests/support/oauth-browser';
import { api, createTestOrg, startTestStack, type TestStack } from '../../tests/support/stack';
import { round, sleep, summarize } from '../stats';

/**
 * CRM write-back, per vendor, against the local stand-ins (in this process, so a record's arrival
 * is seen the moment the stand-in stores it): a signed webhook for a customer the CRM knows, until
 * the record is on the CRM (webhook, store, NOTIFY, the writer's claim, the contact lookup and the
 * write). Then a burst of customers at once: how fast the outbox drains while it keeps under the
 * vendor's burst limit (the budget in server/crm/vendors.ts), and whether the CRM ever said 429.
 */
export async function crmWriteBack(o: { messages: number; rate: number; burst: number }) {
  const stack = await startTestStack();
  let seq = 0;
  const phone = () => `+1646777${String(1000 + seq++).padStart(4, '0')}`;
  try {
    const rows = [];
    for (const vendor of ['hubspot', 'pipedrive', 'salesforce', 'zoho'] as CrmVendor[]) {
      const org = await createTestOrg(stack, 1);
      await connect(stack, org.agents[0]!.token, vendor);
      const crm = standIn(stack, vendor);
      const customers = Array.from({ length: o.messages + o.burst }, () => {
        const p = phone();
        return { phone: p, remoteId: crm.add(p) };
      });
      const send = (c: { phone: string }, i: number) => stack.inbound({ from: c.phone, to: org.number, body: `Bench message ${i}` });

      // Latency: one customer after another at `rate`/s, each timed until their record exists.
      const latencies: number[] = [];
      let lost = 0;
      const pending = new Map<string, number>(); // remote id -> sent at
      const watcher = setInterval(() => {
        if (pending.size === 0) return;
        const have = crm.withRecords();
        for (const [id, at] of pending)
          if (have.has(id)) {
            latencies.push(performance.now() - at);
            pending.delete(id);
          }
      }, 2);
      try {
        for (let i = 0; i < o.messages; i++) {
          const c = customers[i]!;
          pending.set(c.remoteId, performance.now());
          void send(c, i);
          await sleep(1000 / o.rate);
        }
        const deadline = performance.now() + 60_000;
        while (pending.size && performance.now() < deadline) await sleep(10);
        lost = pending.size;
      } finally {
        clearInterval(watcher);
      }

      // Throughput: a burst of customers at once, until every record is written.
      const burst = customers.slice(o.messages);
      const refusedBefore = crm.refused();
      const started = performance.now();
      await Promise.all(burst.map((c, i) => send(c, o.messages + i)));
      const ids = new Set(burst.map((c) => c.remoteId));
      const deadline = started + 300_000;
      while (performance.now() < deadline && [...ids].some((id) => !crm.withRecords().has(id))) await sleep(20);
      const seconds = (performance.now() - started) / 1000;
      const budget = CRM_VENDORS[vendor].budget;
      const s = summarize(latencies);
      rows.push({
        CRM: CRM_VENDORS[vendor].name,
        records: s.count,
        p50: Math.round(s.p50),
        p95: Math.round(s.p95),
        p99: Math.round(s.p99),
        max: Math.round(s.max),
        lost,
        burst: burst.length,
        'burst written': [...ids].filter((id) => crm.withRecords().has(id)).length,
        'writes/s': round(burst.length / seconds, 1),
        'budget writes/s': round(budgetShares(budget).writes / budget.seconds / budget.perWrite, 1),
        '429s': crm.refused() - refusedBefore,
      });
    }
    return rows;
  } finally {
    await stack.stop();
  }
}

/** The admin's browser: Connect, our start link, the stand-in's consent page approves, back to the callback. */
async function connect(stack: TestStack, adminToken: string, vendor: CrmVendor) {
  const start = await api<CrmConnectResponse>(stack, adminToken, '/api/admin/crm/connect', 'POST', { vendor, ...(vendor === 'zoho' && { region: 'eu' }) });
  const page = await oauthBrowser().open(start.body.authorizeUrl);
  if (page.status !== 200) throw new Error(`connecting ${vendor}: ${page.status} ${page.text}`);
}

/** A stand-in seen from the bench: add a customer, which customers have a record, how many 429s. */
function standIn(stack: TestStack, vendor: CrmVendor): { add(phone: string): string; withRecords(): Set<string>; refused(): number } {
  switch (vendor) {
    case 'hubspot': {
      const hub = stack.hubspotStandIn!;
      return {
        add: (p) => hub.addContact({ firstname: 'Bench', phone: p }),
        withRecords: () => new Set([...hub.associations.values()].flatMap((s) => [...s])),
        refused: () => hub.requests.filter((r) => r.status === 429).length,
      };
    }
    case 'pipedrive': {
      const pd = stack.pipedriveStandIn!;
      pd.burstLimit = { requests: 80, seconds: 2 }; // the smallest plan's limit for OAuth apps
      return {
        add: (p) => String(pd.addPerson({ name: 'Bench', phones: [p] })),
        withRecords: () => new Set([...pd.notes.values()].map((n) => String(n.person_id))),
        refused: () => pd.requests.filter((r) => r.status === 429).length,
      };
    }
    case 'salesforce': {
      const sf = stack.salesforceStandIn!;
      return {
        add: (p) => sf.addRecord('Contact', { LastName: 'Bench', Phone: p }),
        withRecords: () => new Set(sf.ofType('Task').map((t) => String(t.WhoId))),
        refused: () => sf.requests.filter((r) => r.status === 403 || r.status === 429).length,
      };
    }
    case 'zoho': {
      const zoho = stack.zohoStandIn!;
      return {
        add: (p) => zoho.addRecord('Contacts', { Last_Name: 'Bench', Phone: p }),
        withRecords: () => new Set([...zoho.notes.values()].map((n) => `${n.Parent_Id.module.api_name}/${n.Parent_Id.id}`)),
        refused: () => zoho.requests.filter((r) => r.status === 429).length,
      };
    }
  }
}
