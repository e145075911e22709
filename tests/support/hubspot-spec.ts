import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * HubSpot's API shapes, as its official client carries them: `@hubspot/api-client` is generated
 * from HubSpot's OpenAPI descriptions, and each model keeps its schema at runtime (the
 * attribute type map: JSON name and type of every property) and in its declaration (which
 * properties are required). `shapeErrors` checks a JSON body against one model: properties the
 * description does not have, required ones missing, wrong types. This is how the HubSpot stand-in
 * is held to HubSpot's descriptions without copying them into this repository.
 */
const require = createRequire(import.meta.url);
const CODEGEN = join(dirname(require.resolve('@hubspot/api-client/package.json')), 'lib/codegen');

interface Attribute {
  name: string;
  baseName: string;
  type: string;
}
type ModelClass = { getAttributeTypeMap(): Attribute[] };

/** One generated module of the client (e.g. `crm/contacts`, `crm/associations/v4`, `oauth`). */
export function hubspotModule(path: string) {
  const dir = join(CODEGEN, path, 'models');
  const all = require(join(dir, 'all.js')) as Record<string, ModelClass | undefined>;
  const required = new Map<string, Set<string>>();
  const requiredOf = (model: string) => {
    let r = required.get(model);
    if (!r) {
      const decl = readFileSync(join(dir, `${model}.d.ts`), 'utf8');
      r = new Set([...decl.matchAll(/^\s{4}'(\w+)':/gm)].map((m) => m[1]!));
      required.set(model, r);
    }
    return r;
  };

  // A generated model the module does not export (oauth's AccessTokenResponse: HubSpot's token answer with hub_id and scopes) is still in its own file.
  const modelOf = (name: string): ModelClass | undefined => {
    if (all[name]) return all[name];
    try {
      return (require(join(dir, `${name}.js`)) as Record<string, ModelClass | undefined>)[name];
    } catch {
      return undefined;
    }
  };

  const check = (value: unknown, type: string, at: string, errors: string[]): void => {
    const t = type.trim();
    if (value === null) {
      if (!/\|\s*null\b/.test(t)) errors.push(`${at}: null where the description has ${t}`);
      return;
    }
    const bare = t.replace(/\s*\|\s*null$/, '');
    const array = /^Array<(.+)>$/.exec(bare);
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(bare);
    if (array) {
      if (!Array.isArray(value)) return void errors.push(`${at}: ${typeof value} where the description has ${bare}`);
      value.forEach((v, i) => check(v, array[1]!, `${at}[${i}]`, errors));
    } else if (map) {
      if (typeof value !== 'object' || Array.isArray(value)) return void errors.push(`${at}: not an object (${bare})`);
      for (const [k, v] of Object.entries(value as object)) check(v, map[1]!, `${at}.${k}`, errors);
    } else if (bare === 'string' || /Enum$/.test(bare)) {
      if (typeof value !== 'string') errors.push(`${at}: ${typeof value} where the description has ${bare}`);
    } else if (bare === 'Date') {
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) errors.push(`${at}: not a date-time`);
    } else if (bare === 'number' || bare === 'boolean') {
      if (typeof value !== bare) errors.push(`${at}: ${typeof value} where the description has ${bare}`);
    } else if (bare === 'any') {
      // anything
    } else {
      const model = modelOf(bare);
      if (!model) return void errors.push(`${at}: unknown type ${bare}`);
      if (typeof value !== 'object' || Array.isArray(value)) return void errors.push(`${at}: not an object (${bare})`);
      const attributes = model.getAttributeTypeMap();
      const byJson = new Map(attributes.map((a) => [a.baseName, a]));
      for (const [k, v] of Object.entries(value as object)) {
        const a = byJson.get(k);
        if (!a) errors.push(`${at}.${k}: not in ${bare}`);
        else check(v, a.type, `${at}.${k}`, errors);
      }
      for (const a of attributes)
        if (requiredOf(bare).has(a.name) && !(a.baseName in (value as object))) errors.push(`${at}.${a.baseName}: required by ${bare}, missing`);
    }
  };

  return {
    /** What is wrong with `body` as a `model` of this module (nothing: an empty list). */
    shapeErrors(body: unknown, model: string): string[] {
      const errors: string[] = [];
      check(body, model, '$', errors);
      return errors;
    },
  };
}
