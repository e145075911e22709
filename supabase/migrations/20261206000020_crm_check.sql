-- Check connection (issue 30): a CRM account that is not set up for Switchboard (a scope not
-- granted, a field without access, the app uninstalled) cannot be fixed by retrying. The writer
-- then records what the admin must do in `needs_setup` and writes nothing more to that CRM until
-- Check connection passes (or the CRM is connected again); agents' CRM calls say the same.
-- `last_check` keeps the last Check connection's steps for the admin view.
alter table public.crm_connections add column needs_setup text, add column last_check jsonb;
