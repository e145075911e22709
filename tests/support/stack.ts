import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import { io as ioClient, type Socket } from 'socket.io-client';
import { addTemplate, createAgent, createChannel, createOrganisation } from '../../server/admin/commands';
import { STAND_IN_TEMPLATES } from '../../server/dev/twilio-stand-in/server';
import { parseEnv } from '../../server/config';
import { createLogger } from '../../server/logger';
import type { Stack } from '../../server/stack';
import { startLocalStack } from '../../server/dev/local-stack';
import { inboundParams, newSid, postSignedWebhook, type InboundOptions } from '../../server/dev/twilio-stand-in/inbound';
import type { ClientToServerEvents, ServerToClientEvents } from '../../lib/contract/events';

/** A free TCP port on loopback (the embedded PostgreSQL needs a concrete one). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface TestStack extends Stack {
  home: string;
  /** Posts a correctly signed inbound webhook, as Twilio would; to an organisation's own webhook URL with `organisationId`. */
  inbound(o: Omit<InboundOptions, 'accountSid'> & { organisationId?: string }): Promise<Response & { params: Record<string, string> }>;
  webhookUrl: string;
  stop(): Promise<void>;
}

/**
 * DNS for agents' file URLs: this machine has no public DNS, so tests resolve a few names of the
 * reserved example.com domain to fixed addresses (one public, others internal) and nothing else.
 */
export const TEST_DNS: Record<string, string[]> = {
  'files.example.com': ['93.184.215.14'],
  'intranet.example.com': ['10.20.30.40'],
  'metadata.example.com': ['169.254.169.254'],
  'rebind.example.com': ['93.184.215.14', '127.0.0.1'],
  localhost: ['127.0.0.1', '::1'],
};
const testDns = async (host: string) => {
  const found = TEST_DNS[host.toLowerCase()];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return found;
};

/** Where tests and benchmarks keep the initialised cluster their stacks copy (`EMBEDDED_PG_TEMPLATE`): one folder per user. */
export const PG_TEMPLATE = join(tmpdir(), `switchboard-pg-template-${process.getuid?.() ?? 'user'}`);

/** The real stack (embedded PostgreSQL, local Auth, server) on free ports in a temp folder. */
export async function startTestStack(env: Record<string, string> = {}, o: { log?: DestinationStream } = {}): Promise<TestStack> {
  const home = mkdtempSync(join(tmpdir(), 'switchboard-test-'));
  chmodSync(home, 0o755); // reachable by PostgreSQL's user, so its data stays in here
  const cfg = parseEnv({
    HOST: '127.0.0.1',
    PORT: '0',
    LOCAL_SUPABASE_PORT: '0',
    EMBEDDED_PG_PORT: String(await freePort()),
    SWITCHBOARD_HOME: home,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // Every test agent signs in from 127.0.0.1; tests/security/ sets the real limits.
    SIGN_INS_PER_IP: '100000',
    SIGN_INS_PER_EMAIL: '100000',
    // A hundred stacks in a run: each copies one initialised cluster instead of running initdb.
    EMBEDDED_PG_TEMPLATE: PG_TEMPLATE,
    ...env,
  });
  const stack = await startLocalStack(cfg, createLogger(cfg.LOG_LEVEL, o.log), { resolveHost: testDns });
  const webhookUrl = `${stack.serverUrl}/api/webhooks/twilio`;
  return {
    ...stack,
    home,
    webhookUrl,
    inbound: async ({ organisationId, ...o }) => {
      const params = inboundParams({ accountSid: stack.config.twilio.accountSid, ...o });
      const path = organisationId ? `/api/webhooks/twilio/organisations/${organisationId}` : '/api/webhooks/twilio';
      const res = await postSignedWebhook(stack.serverUrl + path, stack.config.twilio.authToken, params, stack.config.publicUrl + path);
      return Object.assign(res, { params });
    },
    stop: async () => {
      await stack.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export interface TestOrg {
  id: string;
  channelId: string;
  number: string; // whatsapp:+E164
  messagingServiceSid: string;
  agents: Array<{ id: string; email: string; token: string }>;
}

let orgCounter = 0;

/** An organisation with a channel and signed-in agents (tokens from the local Auth). */
export async function createTestOrg(stack: Stack, agentCount = 1): Promise<TestOrg> {
  const n = ++orgCounter;
  const org = await createOrganisation(stack.db, `Org ${n}`);
  const number = `whatsapp:+1415550${String(1000 + n)}`;
  const messagingServiceSid = newSid('MG');
  const channel = await createChannel(stack.db, { organisationId: org.id, name: `Channel ${n}`, whatsappNumber: number, messagingServiceSid });
  // The stand-in's templates, as an admin gives them (approved or not: the server lists the approved).
  for (const t of STAND_IN_TEMPLATES) await addTemplate(stack.db, org.id, t.sid);
  const agents = [];
  for (let i = 0; i < agentCount; i++) {
    const email = `agent${i}-${org.id.slice(0, 8)}@test.dev`;
    const { id } = await createAgent(
      stack.db,
      { url: stack.config.supabaseUrl, serviceRoleKey: stack.local!.serviceRoleKey },
      {
        organisationId: org.id,
        email,
        password: 'correct horse battery',
        displayName: `Agent ${i}`,
      },
    );
    agents.push({ id, email, token: await signIn(stack, email, 'correct horse battery') });
  }
  return { id: org.id, channelId: channel.id, number, messagingServiceSid, agents };
}

export async function signIn(stack: Stack, email: string, password: string): Promise<string> {
  const res = await fetch(`${stack.config.supabaseUrl}/auth/v1/token?grant_type=password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', apikey: stack.config.supabaseAnonKey },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** GET/POST on the server's API as an agent (a body is sent as JSON). */
export async function api<T = unknown>(stack: Stack, token: string | null, path: string, method = 'GET', body?: unknown): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(stack.serverUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json().catch(() => null)) as T };
}

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A real Socket.IO client, connected (or rejected) with the given token. */
export async function connectSocket(stack: { serverUrl: string }, token: string | null): Promise<TestSocket> {
  const socket: TestSocket = ioClient(stack.serverUrl, { transports: ['websocket'], auth: token ? { token } : {}, reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
  return socket;
}

/** Resolves with the next event of that name, or rejects after `ms`. */
export function nextEvent<E extends keyof ServerToClientEvents>(socket: TestSocket, event: E, ms = 5000): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    socket.once(event, ((payload: Parameters<ServerToClientEvents[E]>[0]) => {
      clearTimeout(timer);
      resolve(payload);
    }) as never);
  });
}

/**
 * A new customer number, never one handed out before in this test file (random draws collided:
 * a "new" customer who had written before broke counts now and then).
 */
let customerSeq = Math.floor(Math.random() * 9000);
export const customer = () => `+1646555${String(1000 + (customerSeq++ % 9000))}`;

/**
 * A customer's message to the organisation's number (a new conversation, or the customer's own if
 * `from` wrote before): the conversation's id and the customer's number.
 * @example const { id, from } = await conversationWith(ctx.stack, ctx.a); await conversationWith(ctx.stack, ctx.a, 'again', from);
 */
export async function conversationWith(stack: TestStack, org: TestOrg, body = 'hello', from = customer()): Promise<{ id: string; from: string }> {
  const res = await stack.inbound({ from, to: org.number, body });
  if (res.status !== 200) throw new Error(`the webhook answered ${res.status}`);
  const { rows } = await stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [res.params.MessageSid]);
  return { id: rows[0]!.conversation_id, from };
}

/** Fault injection: a switch that takes the stack's Socket.IO down (drops and refuses sockets) and up again. */
export function socketIoSwitch(stack: Stack): (up: boolean) => void {
  let up = true;
  stack.app.io.use((_socket, next) => (up ? next() : next(new Error('Socket.IO down (test)'))));
  return (value) => {
    up = value;
    if (!value) stack.app.io.disconnectSockets(true);
  };
}
