-- What each variable of an organisation's WhatsApp template means (issue 31): agents fill in
-- "Customer name" and "Order number", not {{1}} and {{2}}. Twilio's Content API only knows sample
-- values, so the labels are the organisation's own, set with the template
-- (`npm run admin -- add-template --org … --sid HX… --label 1="Customer name"`).
-- Keys are the template's variable names ('1', '2', …); a variable without a label is shown as
-- "Value 1", "Value 2", …
alter table public.organisation_templates
  add column variable_labels jsonb not null default '{}'::jsonb
  check (jsonb_typeof(variable_labels) = 'object');
