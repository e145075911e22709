import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadDotEnv, parseEnv } from '../config';
import { seedDemo } from '../dev/demo/seed';
import { seedDemoHistory } from '../dev/demo/history';
import { DEMO_CONTACTS, DEMO_QUIET_CONTACT } from '../dev/demo/contacts';
import { connectCrm } from '../crm/connections';
import { createSealer } from '../crm/seal';
import { writeLocalConfig } from '../dev/local-supabase/local-config';
import { createLogger } from '../logger';
import { startLocalStack } from '../dev/local-stack';

/**
 * `npm start`: the local stack, the demo organisation, the built extension and, when a display
 * is available, Chromium with the extension loaded on the demo CRM page.
 */
async function main() {
  loadDotEnv();
  const env = parseEnv({ LOG_LEVEL: 'warn', ...process.env });
  const log = createLogger(env.LOG_LEVEL);
  const stack = await startLocalStack(env, log);
  const stop = async () => {
    await stack.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  if (!stack.local) throw new Error('npm start runs the local stack; unset DATABASE_URL and SUPABASE_URL (use npm run server for hosted Supabase)');

  const home = resolve(env.SWITCHBOARD_HOME);
  const path = '/api/webhooks/twilio';
  const demo = await seedDemo(stack.db, {
    supabase: { url: stack.config.supabaseUrl, serviceRoleKey: stack.local.serviceRoleKey },
    webhookUrl: stack.serverUrl + path,
    signatureUrl: stack.config.publicUrl + path,
    twilio: stack.config.twilio,
    existing: stack.local.demo,
  });
  writeLocalConfig(home, { ...stack.local, demo });
  // Weeks of generated conversations, so reports have data at once (docs/reports.md); before the
  // CRM is connected, so the history is not logged there.
  await seedDemoHistory(stack.db, demo.organisationId, demo.agents);
  // The demo organisation logs its conversations in the HubSpot stand-in, whose contacts are the
  // demo CRM page's customers (their numbers as people type them). The stand-in keeps nothing
  // between runs: connected again with a fresh token on every start.
  if (stack.hubspotStandIn && stack.config.crm.tokenKey) {
    const hub = stack.hubspotStandIn;
    for (const c of [...DEMO_CONTACTS, DEMO_QUIET_CONTACT]) {
      const [firstname, ...last] = c.name.split(' ');
      hub.addContact({ firstname: firstname!, lastname: last.join(' '), phone: c.shown });
    }
    const t = hub.issueToken();
    await connectCrm(stack.db, createSealer(stack.config.crm.tokenKey), {
      organisationId: demo.organisationId,
      vendor: 'hubspot',
      accessToken: t.accessToken,
      refreshToken: t.refreshToken,
      expiresAt: new Date(Date.now() + t.expiresInSeconds * 1000),
      account: String(hub.oauth.portalId),
    });
  }

  console.log('Building the extension…');
  const build = spawnSync('npx', ['wxt', 'build'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      WXT_SERVER_URL: stack.serverUrl,
      WXT_SUPABASE_URL: stack.config.supabaseUrl,
      WXT_SUPABASE_ANON_KEY: stack.config.supabaseAnonKey,
      // A development build: the overlay also runs on the demo CRM page this stack serves.
      WXT_DEMO_SITE: 'on',
    },
  });
  if (build.status !== 0) throw new Error('the extension build failed (see above)');
  const extensionDir = resolve('.output', 'chrome-mv3');
  const crmUrl = `${stack.serverUrl}/demo/crm`;

  console.log(`
Switchboard is running.

  Server          ${stack.serverUrl}      (webhook: ${stack.config.publicUrl}${path})
  Supabase (local) ${stack.config.supabaseUrl}
  Demo CRM page   ${crmUrl}
  Agents          ${demo.agents.join(', ')}   password: ${demo.password}
  Extension       ${extensionDir}
  Local config    ${join(home, 'local.json')}
  HubSpot (stand-in) ${stack.hubspotStandIn?.url ?? '-'}   the demo organisation's conversations are logged on its contacts, shown on the demo CRM page (docs/crm.md)
  Other CRMs      Pipedrive, Salesforce and Zoho CRM stand-ins run too: an admin can connect one instead (options page, Team administration, CRM)

Send a WhatsApp message as a customer:
  npm run simulate -- --from +14155550134 --body "Hello" --profile-name "Maria Garcia"
`);
  const chromium = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/google-chrome'].find((p) => existsSync(p));
  if (process.env.DISPLAY && chromium) {
    console.log(`Opening Chromium with the extension loaded (${chromium}).`);
    spawn(
      chromium,
      [
        `--user-data-dir=${join(home, 'chromium-profile')}`,
        `--disable-extensions-except=${extensionDir}`,
        `--load-extension=${extensionDir}`,
        '--no-first-run',
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
        crmUrl,
      ],
      { stdio: 'ignore', detached: true },
    ).unref();
  } else {
    console.log(`No display found: load the extension yourself. In Chrome or Chromium open chrome://extensions,
turn on Developer mode, choose "Load unpacked" and pick ${extensionDir}. Then open ${crmUrl}.`);
  }
  // The local Auth sends no e-mail: an invitation e-mailed from the admin view shows here.
  stack.mailbox?.subscribe((m) => console.log(`\n✉  E-mail to ${m.to} (kept locally, not sent): ${m.subject}\n   ${m.link}\n`));
  console.log('Press Ctrl+C to stop.');
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
