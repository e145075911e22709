/**
 * Where each CRM's web app and API live: one list per vendor, used by the page overlay's matches
 * (`lib/overlay/sites`) and by write-back (`server/crm`), so an account the server can write to is
 * also one whose pages get badges. From the vendors' own descriptions of their data centres
 * (docs/crm.md, "Where each CRM lives").
 */

/** Zoho CRM's data centres: each has its own accounts server, API domain and web app. */
export const ZOHO_DATA_CENTRES = {
  us: { name: 'United States (zoho.com)', accounts: 'https://accounts.zoho.com', api: 'https://www.zohoapis.com', web: 'https://crm.zoho.com' },
  eu: { name: 'Europe (zoho.eu)', accounts: 'https://accounts.zoho.eu', api: 'https://www.zohoapis.eu', web: 'https://crm.zoho.eu' },
  uk: { name: 'United Kingdom (zoho.uk)', accounts: 'https://accounts.zoho.uk', api: 'https://www.zohoapis.uk', web: 'https://crm.zoho.uk' },
  in: { name: 'India (zoho.in)', accounts: 'https://accounts.zoho.in', api: 'https://www.zohoapis.in', web: 'https://crm.zoho.in' },
  au: { name: 'Australia (zoho.com.au)', accounts: 'https://accounts.zoho.com.au', api: 'https://www.zohoapis.com.au', web: 'https://crm.zoho.com.au' },
  jp: { name: 'Japan (zoho.jp)', accounts: 'https://accounts.zoho.jp', api: 'https://www.zohoapis.jp', web: 'https://crm.zoho.jp' },
  ca: { name: 'Canada (zohocloud.ca)', accounts: 'https://accounts.zohocloud.ca', api: 'https://www.zohoapis.ca', web: 'https://crm.zohocloud.ca' },
  sa: { name: 'Saudi Arabia (zoho.sa)', accounts: 'https://accounts.zoho.sa', api: 'https://www.zohoapis.sa', web: 'https://crm.zoho.sa' },
} as const;
export type ZohoDataCentre = keyof typeof ZOHO_DATA_CENTRES;
export const ZOHO_DATA_CENTRE_IDS = Object.keys(ZOHO_DATA_CENTRES) as ZohoDataCentre[];

/**
 * HubSpot's app, per data centre (the portal's hosting region: NA1, NA2, NA3, EU1, AP1). The API
 * is `api.hubapi.com` for every portal (HubSpot routes by the token).
 */
export const HUBSPOT_APP_ORIGINS = [
  'https://app.hubspot.com',
  'https://app-na2.hubspot.com',
  'https://app-na3.hubspot.com',
  'https://app-eu1.hubspot.com',
  'https://app-ap1.hubspot.com',
] as const;

/**
 * Salesforce's Lightning app and My Domain hosts (production, Developer Edition, sandboxes and
 * scratch orgs all sit below these: `*.develop.lightning.force.com`, `*.sandbox.my.salesforce.com`…).
 */
export const SALESFORCE_APP_PATTERNS = ['https://*.lightning.force.com/*', 'https://*.my.salesforce.com/*'] as const;

/** Pipedrive: each company's own subdomain, for its web app and its API alike. */
export const PIPEDRIVE_APP_PATTERNS = ['https://*.pipedrive.com/*'] as const;

/** An origin as a content-script match pattern (every page of it). */
export const everyPageOf = (origin: string) => `${origin}/*`;
