import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { addTemplate, createAgent, createChannel, createOrganisation, listUnrouted, removeAgent } from '../admin/commands';
import { saveCannedReply } from '../inbox/team';
import type { CrmCheckResult } from '../../lib/contract/api';
import { readLocalConfig } from '../dev/local-supabase/local-config';
import { cliContext, runCli, type CliContext } from './context';

/**
 * Runs Check connection on the running server (it holds the CRM apps and the token key) with the
 * operator token, and prints each step; false when one failed.
 */
async function crmCheck(organisationId: string, writeTest: boolean): Promise<boolean> {
  const local = readLocalConfig(resolve(process.env.SWITCHBOARD_HOME ?? '.switchboard'));
  const server = process.env.SWITCHBOARD_URL ?? local?.serverUrl;
  const token = process.env.OPERATOR_TOKEN ?? local?.operatorToken;
  if (!server || !token) throw new Error('set SWITCHBOARD_URL and OPERATOR_TOKEN (the server runs the check), or start the local stack (npm start)');
  const res = await fetch(`${server.replace(/\/$/, '')}/api/operator/crm/check`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ organisationId, writeTest }),
  });
  const answer = (await res.json().catch(() => ({}))) as CrmCheckResult & { message?: string };
  if (!res.ok) throw new Error(answer.message ?? `the server answered ${res.status}`);
  for (const step of answer.steps) {
    console.log(`${step.state === 'ok' ? '✓' : step.state === 'failed' ? '✗' : '–'} ${step.label}: ${step.detail}`);
    if (step.fix) console.log(`    What to do: ${step.fix}`);
  }
  console.log(answer.ok ? 'Every check passed.' : 'Some checks failed.');
  return answer.ok;
}

/** `--label 1=Customer name` as ['1', 'Customer name']. */
function variableLabel(arg: string): [string, string] {
  const at = arg.indexOf('=');
  if (at < 1) throw new Error(`--label ${arg}: write it as <variable>=<what it means>, e.g. --label 1="Customer name"`);
  return [arg.slice(0, at).trim(), arg.slice(at + 1)];
}

const USAGE = `Usage: npm run admin -- <command> [options]

  create-org --name <name>
  create-channel --org <org id> --name <name> [--whatsapp +E164] [--messaging-service MG…]
                 (messages already waiting for the number are routed into conversations)
  create-agent --org <org id> --email <email> --password <password> --name <display name>
  add-canned-reply --org <org id> --shortcut <shortcut> --text <reply>   (agents insert it with /shortcut)
  add-template --org <org id> --sid <HX…> [--label 1="Customer name" --label 2="Order number" …]
                 (an approved WhatsApp template this organisation may send; each --label says what a
                  variable means, shown to agents instead of {{1}}; again with labels to change them)
  remove-agent --email <email>               (takes the agent out of its organisation)
  crm-check --org <org id> [--write-test]    (Check connection of the organisation's CRM, through the running
                                              server: SWITCHBOARD_URL and OPERATOR_TOKEN, or the local stack's)
  list-unrouted
`;

runCli(async () => {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      org: { type: 'string' },
      whatsapp: { type: 'string' },
      'messaging-service': { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      shortcut: { type: 'string' },
      text: { type: 'string' },
      sid: { type: 'string' },
      label: { type: 'string', multiple: true },
      'write-test': { type: 'boolean' },
    },
  });
  const need = (key: Exclude<keyof typeof values, 'write-test' | 'label'>): string => {
    const v = values[key];
    if (!v) throw new Error(`--${key} is required\n\n${USAGE}`);
    return v;
  };
  if (!command || command === 'help' || command === '--help') {
    console.log(USAGE);
    return;
  }
  // Connect only once the arguments are known to be good.
  const conn: { ctx: CliContext | null } = { ctx: null };
  const db = () => (conn.ctx ??= cliContext()).db;
  try {
    switch (command) {
      case 'create-org': {
        const name = need('name');
        console.log(JSON.stringify(await createOrganisation(db(), name)));
        break;
      }
      case 'create-channel': {
        if (!values.whatsapp && !values['messaging-service']) throw new Error('give --whatsapp, --messaging-service or both');
        const input = { organisationId: need('org'), name: need('name'), whatsappNumber: values.whatsapp, messagingServiceSid: values['messaging-service'] };
        const pool = db();
        const local = conn.ctx!.local;
        const accountSid = process.env.TWILIO_ACCOUNT_SID ?? local?.twilio.accountSid;
        if (!accountSid) throw new Error('set TWILIO_ACCOUNT_SID: messages waiting for this number are checked against it before they are routed');
        const source = { accountSid, apiBaseUrl: process.env.TWILIO_API_BASE_URL ?? 'https://api.twilio.com' };
        console.log(JSON.stringify(await createChannel(pool, input, source)));
        break;
      }
      case 'create-agent': {
        const input = { organisationId: need('org'), email: need('email'), password: need('password'), displayName: need('name') };
        const pool = db();
        console.log(JSON.stringify(await createAgent(pool, conn.ctx!.supabase, input)));
        break;
      }
      case 'add-canned-reply': {
        const shortcut = need('shortcut');
        if (!/^[a-z0-9][a-z0-9_-]{0,31}$/.test(shortcut)) throw new Error('--shortcut: lowercase letters, digits, - and _, at most 32');
        console.log(JSON.stringify(await saveCannedReply(db(), need('org'), shortcut, need('text'))));
        break;
      }
      case 'add-template': {
        const org = need('org');
        const labels = values.label ? Object.fromEntries(values.label.map(variableLabel)) : undefined;
        await addTemplate(db(), org, need('sid'), labels);
        console.log(JSON.stringify({ organisationId: org, template: values.sid, labels }));
        break;
      }
      case 'remove-agent': {
        const email = need('email');
        if (!(await removeAgent(db(), email))) throw new Error(`${email} is not an agent of any organisation`);
        console.log(JSON.stringify({ removed: email }));
        break;
      }
      case 'crm-check': {
        const org = need('org');
        const ok = await crmCheck(org, values['write-test'] === true);
        if (!ok) process.exitCode = 1;
        break;
      }
      case 'list-unrouted': {
        const rows = await listUnrouted(db());
        if (rows.length === 0) console.log('No unrouted messages.');
        for (const r of rows) {
          const via = r.messaging_service_sid ? ` (${r.messaging_service_sid})` : '';
          const forOrg = r.organisation_id ? `  [came to the webhook URL of organisation ${r.organisation_id}]` : '';
          console.log(`${r.received_at.toISOString()}  ${r.twilio_sid}  from ${r.from_address} to ${r.to_address}${via}  ${JSON.stringify(r.body)}${forOrg}`);
        }
        break;
      }
      default:
        throw new Error(`unknown command "${command}"\n\n${USAGE}`);
    }
  } finally {
    await conn.ctx?.db.end();
  }
});
