import { storage } from 'wxt/utils/storage';

/**
 * Connection state, published to the UI as named states (never a handful of booleans).
 * `socket` is the Socket.IO channel; `overall` is what the status indicator and badge show.
 */
export type ChannelState = 'idle' | 'connecting' | 'connected' | 'disconnected';
export type OverallStatus = 'signed-out' | 'connecting' | 'live' | 'offline';

export interface ConnectionStatus {
  overall: OverallStatus;
  socket: ChannelState;
  lastError: string | null;
  since: string;
}

export const initialStatus = (): ConnectionStatus => ({ overall: 'signed-out', socket: 'idle', lastError: null, since: new Date().toISOString() });

export const connectionItem = storage.defineItem<ConnectionStatus>('session:connection', { fallback: initialStatus() });

/** The overall status from the channel states (grows with Realtime and polling). */
export function overallFrom(signedIn: boolean, socket: ChannelState): OverallStatus {
  if (!signedIn) return 'signed-out';
  if (socket === 'connected') return 'live';
  if (socket === 'connecting' || socket === 'idle') return 'connecting';
  return 'offline';
}
