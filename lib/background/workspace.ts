import { browser } from 'wxt/browser';
import type { WorkspaceConfig } from '../contract/api';
import { workspaceConfig } from '../contract/schemas';
import { isOlder, parseWorkspaceUrl } from '../settings';
import { settingsItem, updateRequiredItem, workspaceItem } from '../storage/items';

/**
 * One workspace URL is all an agent types: the server publishes the rest (`GET /api/config`:
 * Supabase's URL and anon key, the workspace's name, the oldest extension it accepts).
 */

/** The workspace's public configuration, checked before it is trusted. */
export async function fetchWorkspaceConfig(url: string): Promise<WorkspaceConfig> {
  let res: Response;
  try {
    res = await fetch(`${url}/api/config`, { signal: AbortSignal.timeout(10_000), credentials: 'omit' });
  } catch {
    throw new Error(`Could not reach ${url}: check the address and your connection.`);
  }
  if (!res.ok) throw new Error(`${url} answered ${res.status}: is this your Switchboard workspace URL?`);
  const parsed = workspaceConfig.safeParse(await res.json().catch(() => null));
  if (!parsed.success) throw new Error(`${url} is not a Switchboard workspace (its configuration is not one).`);
  return parsed.data;
}

export const extensionVersion = () => browser.runtime.getManifest().version;

const updateMessage = (minimum: string) => `This workspace needs Switchboard ${minimum} or newer; this is ${extensionVersion()}. Update the extension, then connect again.`;

/** Connects the extension to a workspace: checks the URL and the version, then stores the settings it publishes. */
export async function connectWorkspace(input: string): Promise<{ workspaceName: string | null; url: string }> {
  const parsed = parseWorkspaceUrl(input);
  if ('error' in parsed) throw new Error(parsed.error);
  const config = await fetchWorkspaceConfig(parsed.url);
  if (isOlder(extensionVersion(), config.minExtensionVersion)) throw new Error(updateMessage(config.minExtensionVersion));
  await workspaceItem.setValue({ url: parsed.url, name: config.workspaceName });
  await updateRequiredItem.setValue(null);
  await settingsItem.setValue({ serverUrl: parsed.url, supabaseUrl: config.supabaseUrl, supabaseAnonKey: config.supabaseAnonKey });
  return { workspaceName: config.workspaceName, url: parsed.url };
}

/**
 * Whether this extension is too old for the workspace it is set to (asked once per start). An
 * unreachable server says nothing: the connection's own retries handle that.
 */
export async function checkVersion(serverUrl: string): Promise<boolean> {
  const config = await fetchWorkspaceConfig(serverUrl).catch(() => null);
  const outdated = !!config && isOlder(extensionVersion(), config.minExtensionVersion);
  await updateRequiredItem.setValue(outdated ? { current: extensionVersion(), minimum: config!.minExtensionVersion, message: updateMessage(config!.minExtensionVersion) } : null);
  return outdated;
}
