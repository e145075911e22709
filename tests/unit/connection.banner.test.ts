import { describe, expect, it } from 'vitest';
import { connectionBanner, waitingReplies } from '@/lib/connection/banner';
import { overallFrom, type ChannelState, type ConnectionStatus } from '@/lib/connection/status';

const status = (realtime: ChannelState, socket: ChannelState, opts: { signedIn?: boolean; pollingWorks?: boolean } = {}): ConnectionStatus => ({
  overall: overallFrom(opts.signedIn ?? true, realtime, socket, opts.pollingWorks),
  realtime,
  socket,
  lastError: null,
  since: new Date(0).toISOString(),
});

describe('the connection banner says which side is wrong', () => {
  it('says nothing while both links are up, or only Realtime is down (Socket.IO brings the same messages)', () => {
    expect(connectionBanner(status('connected', 'connected'), true)).toBeNull();
    expect(connectionBanner(status('disconnected', 'connected'), true)).toBeNull();
    expect(connectionBanner(status('connecting', 'connecting'), true)).toBeNull();
  });

  it('blames Switchboard’s server when its link is down while the browser is online, and replies wait', () => {
    for (const s of [status('connected', 'disconnected'), status('disconnected', 'disconnected')]) {
      expect(connectionBanner(s, true)).toMatchObject({
        problem: 'server',
        repliesWait: true,
      });
    }
  });

  it('says the agent is offline when the browser is, whatever the links say', () => {
    for (const s of [status('disconnected', 'disconnected'), status('connected', 'connected'), status('connecting', 'disconnected')]) {
      expect(connectionBanner(s, false)).toMatchObject({ problem: 'offline', repliesWait: true });
    }
  });

  it('says signed out before anything else', () => {
    expect(connectionBanner(status('idle', 'idle', { signedIn: false }), false)?.problem).toBe('signed-out');
  });

  it('with both links down but polling answered, only live updates are slower: replies go out', () => {
    expect(connectionBanner(status('disconnected', 'disconnected', { pollingWorks: true }), true)).toMatchObject({
      problem: 'interrupted',
      repliesWait: false,
    });
  });
});

describe('replies shown as waiting', () => {
  const outbox = [{ id: 'r1' }, { id: 'r2' }];
  it('are the outbox’s while the banner says replies wait, and none otherwise (they are being sent)', () => {
    expect([...waitingReplies(outbox, connectionBanner(status('connected', 'disconnected'), true))]).toEqual(['r1', 'r2']);
    expect(waitingReplies(outbox, connectionBanner(status('connected', 'connected'), true)).size).toBe(0);
    expect(waitingReplies(outbox, connectionBanner(status('disconnected', 'disconnected', { pollingWorks: true }), true)).size).toBe(0);
  });
});
