import { storage } from 'wxt/utils/storage';

/**
 * Connection state, published to the UI as named states (never a handful of booleans).
 * Each channel has its own state; `overall` is what the status indicator and badge show.
 */
export type ChannelState = 'idle' | 'connecting' | 'connected' | 'disconnected';
export type OverallStatus = 'signed-out' | 'connecting' | 'live' | 'degraded' | 'offline';

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

export const connectionItem = storage.defineItem<ConnectionStatus>('session:connection', { fallback: initialStatus() });

/** live: both up; degraded: one up; connecting: none up yet, some trying; offline: both down. */
export function overallFrom(signedIn: boolean, realtime: ChannelState, socket: ChannelState): OverallStatus {
  if (!signedIn) return 'signed-out';
  const up = [realtime, socket].filter((s) => s === 'connected').length;
  if (up === 2) return 'live';
  if (up === 1) return 'degraded';
  if (realtime === 'disconnected' && socket === 'disconnected') return 'offline';
  return 'connecting';
}
