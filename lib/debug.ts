import { type ConnectionStatus } from './connection/status';
import { sendMessage } from './messaging/protocol';
import { connectionItem } from './storage/items';

declare global {
  interface Window {
    switchboard?: { status(): Promise<ConnectionStatus>; reconnect(): Promise<unknown> };
  }
}

/**
 * The console commands of the original guide, for the side panel's devtools:
 *   await switchboard.status()       // both sockets' states, the overall status, the last error
 *   switchboard.reconnect()          // or: window.dispatchEvent(new CustomEvent('reconnect_websockets'))
 */
export function installDebugApi(win: Window): void {
  win.switchboard = {
    status: () => connectionItem.getValue(),
    reconnect: () => sendMessage('connection:reconnect'),
  };
  win.addEventListener('reconnect_websockets', () => void sendMessage('connection:reconnect'));
}
