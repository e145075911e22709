-- CRM write-back to Pipedrive and Salesforce as well as HubSpot (docs/crm.md). Each Pipedrive
-- company and each Salesforce org has its own API origin (`api_url`: the company domain, the
-- instance URL), given with its token and checked against the server's configuration when it is
-- connected; it is the only origin of that CRM the server then calls for the organisation.
alter table public.crm_connections drop constraint crm_connections_vendor_check;
alter table public.crm_connections add constraint crm_connections_vendor_check check (vendor in ('hubspot', 'pipedrive', 'salesforce'));
alter table public.crm_connections add column api_url text;
