-- A team lead (issue 35): sees reports and works as an agent, but administers nothing. Admin routes
-- stay admin-only (docs/admin.md); reports are for admins and leads (docs/reports.md).
alter table public.agents drop constraint agents_role_check;
alter table public.agents add constraint agents_role_check check (role in ('admin', 'lead', 'agent'));
alter table public.invites drop constraint invites_role_check;
alter table public.invites add constraint invites_role_check check (role in ('admin', 'lead', 'agent'));
