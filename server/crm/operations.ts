/**
 * The operations of a CRM's API that Switchboard calls, as data: one table per vendor (in each
 * vendor's `*-operations.ts`), transcribed from the vendor's published description (its OpenAPI
 * file's `security` section, or its reference pages; each table names its source and version).
 * The stand-ins refuse a call whose token lacks the operation's scopes exactly as the vendor does,
 * and a test fails when an adapter calls an operation missing from its table. docs/crm.md shows
 * the same tables.
 */
export interface CrmOperation {
  /** A short name (`search contacts`). */
  id: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path as the vendor documents it, parameters in braces: `/crm/v3/objects/{objectType}/search`. */
  path: string;
  /**
   * The scopes a token needs: every group is required, and a group is met by any one of its
   * scopes (HubSpot's `granular` and legacy scopes, Zoho's module or ALL scopes). Empty: none.
   */
  scopes: string[][];
  /** The answers the adapter handles, by status (2xx and the documented errors). */
  answers: number[];
}

/** The operation a request is, by method and path (parameters match one path segment each). */
export function matchOperation(table: readonly CrmOperation[], method: string, path: string): CrmOperation | null {
  const clean = path.split('?')[0]!.replace(/\/+$/, '');
  return (
    table.find((op) => {
      if (op.method !== method.toUpperCase()) return false;
      const pattern = new RegExp(
        `^${op.path
          .replace(/\/+$/, '')
          .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
          .replace(/\{[^}]+\}/g, '[^/]+')}$`,
      );
      return pattern.test(clean);
    }) ?? null
  );
}

/** The scopes of `op` that `granted` lacks (one entry per unmet group, its scopes joined by " or "). */
export function missingScopes(op: CrmOperation, granted: readonly string[]): string[] {
  const have = new Set(granted);
  return op.scopes.filter((group) => !group.some((s) => have.has(s))).map((group) => group.join(' or '));
}
