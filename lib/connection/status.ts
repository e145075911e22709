/**
 * Connection state, published to the UI as named states (never a handful of booleans).
 * Each channel has its own state; `overall` is what the status indicator and badge show.
 */
export type ChannelState = 'idle' | 'connecting' | 'connected' | 'disconnected';
export type OverallStatus = 'signed-out' | 'connecting' | 'live' | 'degraded' | 'polling' | 'offline';

export interface ConnectionStatus {
  overall: OverallStatus;
  /** Supabase Realtime: new and changed rows (the primary path). */
  realtime: ChannelState;
  /** Socket.IO: room broadcasts, typing, presence. */
  socket: ChannelState;
  lastError: string | null;
  since: string;
}

export const initialStatus = (): ConnectionStatus => ({
  overall: 'signed-out',
  realtime: 'idle',
  socket: 'idle',
  lastError: null,
  since: new Date().toISOString(),
});

/** Both sockets have failed: the only case in which the fallback polling runs. */
export const bothDown = (realtime: ChannelState, socket: ChannelState) => realtime === 'disconnected' && socket === 'disconnected';

/**
 * live: both up; degraded: one up; polling: both down and the fallback polling works;
 * offline: both down and the server unreachable too; connecting: none up yet, some trying.
 */
export function overallFrom(signedIn: boolean, realtime: ChannelState, socket: ChannelState, pollingWorks = false): OverallStatus {
  if (!signedIn) return 'signed-out';
  const up = [realtime, socket].filter((s) => s === 'connected').length;
  if (up === 2) return 'live';
  if (up === 1) return 'degraded';
  if (bothDown(realtime, socket)) return pollingWorks ? 'polling' : 'offline';
  return 'connecting';
}
