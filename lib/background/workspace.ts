import { browser } from 'wxt/browser';
import type { WorkspaceConfig } from '../contract/api';
import { workspaceConfig } from '../contract/schemas';
import { Failure } from '../messaging/failures';
import { DEFAULT_SETTINGS, isConfigured, isOlder, parseWorkspaceUrl } from '../settings';
import { managedWorkspaceItem, settingsItem, updateRequiredItem, workspaceItem } from '../storage/items';

/**
 * One workspace URL is all an agent types: the server publishes the rest (`GET /api/config`:
 * Supabase's URL and anon key, the workspace's name, the oldest extension it accepts).
 */

/** The workspace's public configuration, checked before it is trusted. */
export async function fetchWorkspaceConfig(url: string): Promise<WorkspaceConfig> {
  let res: Response;
  try {
    res = await fetch(`${url}/api/config`, { signal: AbortSignal.timeout(10_000), credentials: 'omit' });
  } catch (err) {
    throw new Failure({ code: 'unreachable', url }, { cause: err });
  }
  if (!res.ok) throw new Failure({ code: 'notAnswering', url, status: res.status });
  const parsed = workspaceConfig.safeParse(await res.json().catch(() => null));
  if (!parsed.success) throw new Failure({ code: 'notWorkspace', url }, { cause: parsed.error });
  return parsed.data;
}

export const extensionVersion = () => browser.runtime.getManifest().version;

const updateRequired = (minimum: string) => new Failure({ code: 'updateRequired', minimum, current: extensionVersion() });

/** Connects the extension to a workspace: checks the URL and the version, then stores the settings it publishes. */
export async function connectWorkspace(input: string): Promise<{ workspaceName: string | null; url: string }> {
  const parsed = parseWorkspaceUrl(input);
  if ('error' in parsed) throw new Failure({ code: 'workspaceUrl', problem: parsed.error, text: input.trim() });
  const managed = await managedWorkspaceItem.getValue();
  if (managed?.locked && parsed.url !== managed.url) throw new Failure({ code: 'lockedWorkspace', url: managed.url });
  const config = await fetchWorkspaceConfig(parsed.url);
  if (isOlder(extensionVersion(), config.minExtensionVersion)) throw updateRequired(config.minExtensionVersion);
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
  await updateRequiredItem.setValue(
    outdated ? { current: extensionVersion(), minimum: config!.minExtensionVersion, message: updateRequired(config!.minExtensionVersion).message } : null,
  );
  return outdated;
}

/**
 * The workspace IT set by policy (Chrome's `storage.managed`, see docs/managed-policy.md): kept for
 * the UI, and connected to when the extension is not set up yet or the policy locks it. Called at
 * start and whenever the policy changes; without a policy (or where the browser has none) nothing.
 */
export async function applyManagedWorkspace(): Promise<void> {
  const policy = (await browser.storage.managed?.get().catch(() => ({}))) as { workspaceUrl?: unknown; lockWorkspace?: unknown } | undefined;
  const parsed = typeof policy?.workspaceUrl === 'string' ? parseWorkspaceUrl(policy.workspaceUrl) : null;
  if (!parsed || 'error' in parsed) return managedWorkspaceItem.setValue(null);
  const locked = policy?.lockWorkspace === true;
  await managedWorkspaceItem.setValue({ url: parsed.url, locked });
  const settings = await settingsItem.getValue();
  const connectedHere = (await workspaceItem.getValue())?.url === parsed.url && settings.serverUrl === parsed.url;
  if (connectedHere || (!locked && isConfigured(settings) && settings.serverUrl !== DEFAULT_SETTINGS.serverUrl)) return;
  // Unreachable now: the side panel shows the workspace step with the policy's URL to try again.
  await connectWorkspace(parsed.url).catch(() => {});
}
