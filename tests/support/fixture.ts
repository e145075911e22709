import { afterAll, afterEach, beforeAll } from 'vitest';
import type { DestinationStream } from 'pino';
import type { Page } from 'playwright-core';
import { signedInBrowser, type ExtensionBrowser } from './browser';
import { RealtimeClients } from './realtime';
import { connectSocket, createTestOrg, startTestStack, type TestOrg, type TestSocket, type TestStack } from './stack';

/** What a test file gets from `useTestStack`: the stack and its named organisations, filled in before the first test. */
export type StackFixture<Names extends string> = { stack: TestStack } & Record<Names, TestOrg>;

/**
 * The one set-up of a test file that needs the real stack: started before its tests (embedded
 * PostgreSQL, local Supabase, the server, the Twilio stand-in), with named organisations of the
 * given numbers of signed-in agents, and stopped after them.
 * @example const ctx = useTestStack({ orgs: { a: 2, b: 1 } }); it('…', () => ctx.stack.inbound({ from, to: ctx.a.number }));
 */
export function useTestStack<Names extends string = never>(
  opts: { env?: Record<string, string>; orgs?: Record<Names, number>; log?: DestinationStream } = {},
): StackFixture<Names> {
  const fixture = {} as StackFixture<Names>;
  beforeAll(async () => {
    const stack = await startTestStack(opts.env, { log: opts.log });
    (fixture as { stack: TestStack }).stack = stack;
    for (const [name, agents] of Object.entries(opts.orgs ?? {}) as Array<[Names, number]>) {
      (fixture as Record<Names, TestOrg>)[name] = await createTestOrg(stack, agents);
    }
  });
  afterAll(() => fixture.stack?.stop());
  return fixture;
}

/**
 * Chromium with the built extension, signed in as the agent `email()` names once the stack is up
 * (its options page and side panel open), and closed after the file's tests.
 * @example const ui = useSignedInBrowser(ctx, () => ctx.org.agents[0]!.email); it('…', () => ui.panel.getByRole('list'));
 */
export function useSignedInBrowser(ctx: { stack: TestStack }, email: () => string): { browser: ExtensionBrowser; panel: Page; options: Page } {
  const signedIn = {} as { browser: ExtensionBrowser; panel: Page; options: Page };
  beforeAll(async () => void Object.assign(signedIn, await signedInBrowser(ctx.stack, email())));
  afterAll(() => signedIn.browser?.close());
  return signedIn;
}

/**
 * The Socket.IO and Realtime (supabase-js) clients a test opens, all closed after each test.
 * @example const clients = useClients(ctx); const s = await clients.connect(token);
 */
export function useClients(ctx: { stack: TestStack }): { connect(token: string): Promise<TestSocket>; realtime: RealtimeClients } {
  const realtime = new RealtimeClients(() => ctx.stack);
  const sockets: TestSocket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await realtime.closeAll();
  });
  return {
    realtime,
    connect: async (token) => {
      const s = await connectSocket(ctx.stack, token);
      sockets.push(s);
      return s;
    },
  };
}
