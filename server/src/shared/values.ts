/** Questions asked of plain values read from a model or a rule pack, answered one way everywhere. */

/**
 * Whether a property says something: not absent, null, empty text or an empty list. `unknown` is a value here
 * (someone wrote it down); use isKnown where `unknown` must count as missing.
 */
export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);
}

/** Whether a property says something other than `unknown`. */
export function isKnown(value: unknown): boolean {
  return isSet(value) && value !== 'unknown';
}

/** A mapping (not null, not a list): what YAML's maps become. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value read from a model, as text for a message: scalars as written, lists joined, mappings as `{…}`. */
export function plainText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return value.map(plainText).join(', ');
  return '{…}';
}
