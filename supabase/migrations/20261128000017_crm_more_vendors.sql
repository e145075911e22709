-- CRM write-back to Pipedrive, Salesforce and Zoho CRM as well as HubSpot (docs/crm.md). Each
-- Pipedrive company, Salesforce org and Zoho account has its own API origin (`api_url`: the company
-- domain, the instance URL, the data centre's API domain), given with its token and checked against the server's configuration when it is
-- connected; it is the only origin of that CRM the server then calls for the organisation.
alter table public.crm_connections drop constraint crm_connections_vendor_check;
alter table public.crm_connections add constraint crm_connections_vendor_check check (vendor in ('hubspot', 'pipedrive', 'salesforce', 'zoho'));
alter table public.crm_connections add column api_url text;
