import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readLocalConfig } from '../dev/local-supabase/local-config';
import { inboundParams, postSignedWebhook } from '../dev/twilio-stand-in/inbound';
import { runCli } from './context';

const USAGE = `Usage: npm run simulate -- --from +15551234567 --body "Hello" [options]

Posts an inbound WhatsApp message to the running server, signed as Twilio signs it.
  --from <+E164>             the customer (required)
  --body <text>              message text
  --to <+E164>               the channel number (default: the demo channel)
  --messaging-service <MG…>  send as through a Messaging Service
  --profile-name <name>      the customer's WhatsApp profile name
  --organisation <id>        post to that organisation's own webhook URL (a number not set up
                             yet then waits in its admins' view)
  --media <url>[,type]       attach media (repeatable); type defaults to image/jpeg. The server
                             fetches only this account's Twilio media of this message; any
                             other URL is kept as a file that cannot be opened
`;

runCli(async () => {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      body: { type: 'string', default: '' },
      to: { type: 'string' },
      'messaging-service': { type: 'string' },
      'profile-name': { type: 'string' },
      organisation: { type: 'string' },
      media: { type: 'string', multiple: true },
      help: { type: 'boolean' },
    },
  });
  if (values.help || !values.from) {
    console.log(USAGE);
    if (!values.help) process.exitCode = 2;
    return;
  }
  const local = readLocalConfig(resolve(process.env.SWITCHBOARD_HOME ?? '.switchboard'));
  const serverUrl = process.env.SERVER_URL ?? local?.serverUrl;
  const accountSid = process.env.TWILIO_ACCOUNT_SID ?? local?.twilio.accountSid;
  const authToken = process.env.TWILIO_AUTH_TOKEN ?? local?.twilio.authToken;
  const to = values.to ?? local?.demo?.whatsappNumber;
  if (!serverUrl || !accountSid || !authToken || !to) {
    throw new Error('No running local stack found (.switchboard/local.json); start it with `npm start`, or set SERVER_URL, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and pass --to');
  }
  const params = inboundParams({
    accountSid,
    from: values.from,
    to,
    body: values.body,
    profileName: values['profile-name'],
    messagingServiceSid: values['messaging-service'],
    media: (values.media ?? []).map((m) => {
      const [url, contentType] = m.split(',');
      return { url: url!, contentType: contentType ?? 'image/jpeg' };
    }),
  });
  const path = values.organisation ? `/api/webhooks/twilio/organisations/${encodeURIComponent(values.organisation)}` : '/api/webhooks/twilio';
  const publicUrl = process.env.PUBLIC_URL ?? local?.publicUrl ?? serverUrl;
  const res = await postSignedWebhook(serverUrl + path, authToken, params, publicUrl + path);
  console.log(`${res.status} ${res.statusText}  MessageSid=${params.MessageSid}`);
  if (!res.ok) {
    console.log(await res.text());
    process.exitCode = 1;
  }
});
