-- CRM write-back to Pipedrive as well as HubSpot (docs/crm.md). Each Pipedrive company has its own
-- API origin (`api_url`), given with its token and checked against the server's configuration
-- when the company is connected; it is the only Pipedrive origin the server then calls for it.
alter table public.crm_connections drop constraint crm_connections_vendor_check;
alter table public.crm_connections add constraint crm_connections_vendor_check check (vendor in ('hubspot', 'pipedrive'));
alter table public.crm_connections add column api_url text;
