import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readLocalConfig } from '../dev/local-supabase/local-config';
import { inboundParams, newSid, postSignedWebhook } from '../dev/twilio-stand-in/inbound';
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
  --media <kind|url[,type]>  attach media (repeatable). A kind (image, pdf, audio, video, vcard)
                             is a real file of that kind hosted by the local Twilio stand-in
                             (audio: a WhatsApp voice note). A URL's type defaults to image/jpeg;
                             the server fetches only this account's Twilio media of this message,
                             any other URL is kept as a file that cannot be opened
  --reply-to <MessageSid>    quote an earlier message (swipe to reply)
  --button <text>[=payload]  tap a template's quick-reply button (give --reply-to the template)
  --list <id>=<title>        choose a list-picker item
  --body STOP                opt out (START opts back in)
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
      'reply-to': { type: 'string' },
      button: { type: 'string' },
      list: { type: 'string' },
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
    throw new Error(
      'No running local stack found (.switchboard/local.json); start it with `npm start`, or set SERVER_URL, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and pass --to',
    );
  }
  const messageSid = newSid((values.media ?? []).length ? 'MM' : 'SM');
  const kinds = ['image', 'pdf', 'audio', 'video', 'vcard'];
  const typeOfKind: Record<string, string> = { image: 'image/png', pdf: 'application/pdf', audio: 'audio/ogg', video: 'video/mp4', vcard: 'text/vcard' };
  const media = [];
  for (const m of values.media ?? []) {
    if (kinds.includes(m)) {
      if (!local?.twilioStandInUrl) throw new Error(`--media ${m} needs the local stack's Twilio stand-in (npm start)`);
      const res = await fetch(`${local.twilioStandInUrl}/_stand-in/media`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}` },
        body: JSON.stringify({ kind: m, messageSid }),
      });
      if (!res.ok) throw new Error(`the Twilio stand-in refused --media ${m}: ${res.status} ${await res.text()}`);
      media.push({ url: ((await res.json()) as { url: string }).url, contentType: typeOfKind[m]! });
    } else {
      const [url, contentType] = m.split(',');
      media.push({ url: url!, contentType: contentType ?? 'image/jpeg' });
    }
  }
  const [buttonText, buttonPayload] = (values.button ?? '').split('=');
  const [listId, listTitle] = (values.list ?? '').split('=');
  const params = inboundParams({
    accountSid,
    from: values.from,
    to,
    body: values.body,
    profileName: values['profile-name'],
    messagingServiceSid: values['messaging-service'],
    messageSid,
    media,
    ...(values['reply-to'] ? { replyTo: { sid: values['reply-to'], sender: to } } : {}),
    ...(values.button ? { button: { text: buttonText!, payload: buttonPayload ?? buttonText! } } : {}),
    ...(values.list ? { listItem: { id: listId!, title: listTitle ?? listId! } } : {}),
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
