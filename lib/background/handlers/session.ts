import { connectWorkspace } from '../workspace';
import { done, type Current, type Handlers } from './types';

/** Signing in and out, the workspace, the side panel's Reconnect. */
export function sessionHandlers(current: Current<'signIn' | 'signOut' | 'reconnect'>, rebuild: () => Promise<unknown>) {
  return {
    'auth:signIn': async ({ email, password }) => (await current()).signIn(email, password),
    'auth:signOut': async () => done(await (await current()).signOut()),
    // Answered once the connections use the new workspace: a sign-in right after goes to it.
    'settings:connect': async ({ workspaceUrl }) => {
      const connected = await connectWorkspace(workspaceUrl);
      await rebuild();
      return connected;
    },
    'connection:reconnect': async () => done(await (await current()).reconnect()),
  } satisfies Partial<Handlers>;
}
