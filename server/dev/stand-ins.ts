import type { Env } from '../config';
import { startHubSpotStandIn } from './crm-stand-in/hubspot';
import { startPipedriveStandIn } from './crm-stand-in/pipedrive';
import { startSalesforceStandIn } from './crm-stand-in/salesforce';
import { startZohoStandIn } from './crm-stand-in/zoho';
import type { Closers } from './local-supabase/start';
import { startTwilioStandIn } from './twilio-stand-in/server';

/** Twilio's servers and the CRMs are out of reach here: each is played by its stand-in, unless the environment names a real one. */
export async function startStandIns(env: Env, twilio: { accountSid: string; authToken: string }, closers: Closers) {
  const start = async <T extends { close(): Promise<void> }>(name: string, real: string | undefined, fn: () => Promise<T>): Promise<T | null> => {
    if (real) return null;
    const standIn = await fn();
    closers.push([`${name} stand-in`, () => standIn.close()]);
    return standIn;
  };
  return {
    twilio: await start('Twilio', env.TWILIO_API_BASE_URL, () => startTwilioStandIn(twilio)),
    hubspot: await start('HubSpot', env.HUBSPOT_API_BASE_URL, startHubSpotStandIn),
    salesforce: await start('Salesforce', env.SALESFORCE_LOGIN_URL, startSalesforceStandIn),
    zoho: await start('Zoho', env.ZOHO_CLIENT_ID, startZohoStandIn),
    pipedrive: await start('Pipedrive', env.PIPEDRIVE_OAUTH_URL, startPipedriveStandIn),
  };
}
