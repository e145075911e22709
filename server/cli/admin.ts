import { parseArgs } from 'node:util';
import { createAgent, createChannel, createOrganisation, listUnrouted } from '../admin/commands';
import { cliContext, runCli } from './context';

const USAGE = `Usage: npm run admin -- <command> [options]

  create-org --name <name>
  create-channel --org <org id> --name <name> [--whatsapp +E164] [--messaging-service MG…]
  create-agent --org <org id> --email <email> --password <password> --name <display name>
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
    },
  });
  const need = (key: keyof typeof values) => {
    const v = values[key];
    if (!v) throw new Error(`--${key} is required\n\n${USAGE}`);
    return v;
  };
  if (!command || command === 'help' || command === '--help') {
    console.log(USAGE);
    return;
  }
  const ctx = cliContext();
  try {
    switch (command) {
      case 'create-org':
        console.log(JSON.stringify(await createOrganisation(ctx.db, need('name'))));
        break;
      case 'create-channel':
        if (!values.whatsapp && !values['messaging-service']) throw new Error('give --whatsapp, --messaging-service or both');
        console.log(
          JSON.stringify(
            await createChannel(ctx.db, {
              organisationId: need('org'),
              name: need('name'),
              whatsappNumber: values.whatsapp,
              messagingServiceSid: values['messaging-service'],
            }),
          ),
        );
        break;
      case 'create-agent':
        console.log(
          JSON.stringify(
            await createAgent(ctx.db, ctx.supabase, {
              organisationId: need('org'),
              email: need('email'),
              password: need('password'),
              displayName: need('name'),
            }),
          ),
        );
        break;
      case 'list-unrouted': {
        const rows = await listUnrouted(ctx.db);
        if (rows.length === 0) console.log('No unrouted messages.');
        for (const r of rows) {
          console.log(`${r.received_at.toISOString()}  ${r.twilio_sid}  from ${r.from_address} to ${r.to_address}${r.messaging_service_sid ? ` (${r.messaging_service_sid})` : ''}  ${JSON.stringify(r.body)}`);
        }
        break;
      }
      default:
        throw new Error(`unknown command "${command}"\n\n${USAGE}`);
    }
  } finally {
    await ctx.db.end();
  }
});
