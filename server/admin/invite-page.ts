/**
 * The page an invitation opens: a link (`/invite#<token>`), or Supabase Auth's e-mailed link, which
 * Supabase redirects here signed in (`/invite?invitation=<id>#access_token=…&type=invite`, or
 * `#error=…` when the link was used or expired). The invitee sets a name and password, then connects the extension
 * with the workspace URL. Token and session stay in the fragment (never in a server log or a
 * Referer); the script posts them to `/api/invites/accept`. Served with a strict CSP.
 */
export const INVITE_PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

export const INVITE_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Join your team on Switchboard</title>
  <style>
    body { font: 15px/1.5 system-ui, sans-serif; margin: 0; background: #f5f6f8; color: #1d2330; }
    main { max-width: 420px; margin: 48px auto; background: #fff; border-radius: 8px; padding: 24px; box-shadow: 0 1px 3px #0002; }
    label { display: flex; flex-direction: column; gap: 2px; margin-bottom: 12px; }
    input { font: inherit; padding: 6px 8px; border: 1px solid #c5c9d3; border-radius: 6px; }
    button { font: inherit; padding: 6px 14px; }
    [role=alert] { color: #b91c1c; }
    .hint { margin: -8px 0 12px; color: #4b5263; font-size: 13px; }
    code { background: #eef0f4; padding: 1px 4px; border-radius: 4px; }
  </style>
</head>
<body>
  <main>
    <h1>Join your team on Switchboard</h1>
    <p id="about" role="status" aria-live="polite"></p>
    <form id="join" aria-label="Join">
      <label>Your name <input id="name" autocomplete="name" required maxlength="200"></label>
      <label>Password <input id="password" type="password" autocomplete="new-password" required minlength="8" aria-describedby="password-hint"></label>
      <p id="password-hint" class="hint">New to Switchboard: choose one (8 characters or more). Already have a Switchboard account with this e-mail: enter its password.</p>
      <button type="submit">Join</button>
      <p id="error" role="alert"></p>
    </form>
    <section id="done" hidden>
      <p role="status">You are in. Sign in as <strong id="email"></strong>.</p>
      <p>In the Switchboard extension, connect with this workspace URL: <code id="workspace"></code></p>
    </section>
  </main>
  <script src="/invite.js"></script>
</body>
</html>
`;

export const INVITE_JS = `(() => {
  const fragment = location.hash.slice(1);
  const params = new URLSearchParams(fragment);
  const form = document.getElementById('join');
  const error = document.getElementById('error');
  const refuse = (message) => { error.textContent = message; form.querySelector('button').disabled = true; };
  let invitation = null;
  if (params.get('access_token')) {
    // Signed in by Supabase Auth from the e-mailed link: the session, not kept in the address bar.
    invitation = { accessToken: params.get('access_token'), invitation: new URLSearchParams(location.search).get('invitation') || undefined };
    history.replaceState(null, '', location.pathname);
  } else if (params.get('error') || params.get('error_code')) {
    refuse('This invitation e-mail’s link was already used or has expired: ask your admin for a new invitation.');
  } else if (fragment && !fragment.includes('=')) {
    invitation = { token: decodeURIComponent(fragment) };
  } else {
    refuse('This link has no invitation in it: open the whole link you were sent.');
  }
  // Which organisation, which role, who invited: read before anything is used (another organisation may invite the same address).
  if (invitation) {
    fetch('/api/invites/preview', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(invitation) })
      .then(async (res) => {
        const answer = await res.json().catch(() => ({}));
        if (!res.ok) return refuse(answer.message || 'This invitation cannot be used: ask your admin for a new one.');
        const about = document.getElementById('about');
        const strong = document.createElement('strong');
        strong.textContent = answer.organisationName;
        about.append('Join ', strong, ' on Switchboard as ' + (answer.role === 'admin' ? 'an admin' : answer.role === 'lead' ? 'a lead' : 'an agent') + ', invited by ' + answer.invitedBy + ', with ' + answer.email + '.');
      })
      .catch(() => undefined);
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const body = { ...invitation, displayName: document.getElementById('name').value, password: document.getElementById('password').value };
    const res = await fetch('/api/invites/accept', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).catch(() => null);
    const answer = res ? await res.json().catch(() => ({})) : { message: 'Switchboard could not be reached: try again.' };
    if (!res || !res.ok) { error.textContent = answer.message || 'Something went wrong: try again.'; return; }
    form.hidden = true;
    document.getElementById('email').textContent = answer.email;
    document.getElementById('workspace').textContent = answer.workspaceUrl;
    document.getElementById('done').hidden = false;
  });
})();
`;
