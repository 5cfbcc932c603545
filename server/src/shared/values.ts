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

/**
 * A value read from a model, as text for a message: scalars as written, lists joined, mappings as `{…}`. A list that
 * contains itself (a YAML alias inside its own anchor) is shown once, as `[…]`.
 */
export function plainText(value: unknown, seen: ReadonlySet<unknown> = new Set()): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) {
    if (seen.has(value)) return '[…]';
    const inner = new Set(seen).add(value);
    return value.map((v) => plainText(v, inner)).join(', ');
  }
  return '{…}';
}

/** How much of a value a message quotes: enough to recognise it, never a whole file pasted as one scalar. */
export const QUOTE_LIMIT = 60;
/** How much of a name (or a threat's title) a sentence takes: the longest names people write fit whole. */
export const NAME_LIMIT = 120;

/**
 * A value from a model or a pack inside a message, without quotes (a name in a sentence: "Payment service's code
 * link …"): at most QUOTE_LIMIT characters (then `…`), line breaks and other control characters shown as escapes, so
 * that a message is one line, stays short whatever the model holds, and cannot echo a file's content (a model that is
 * a link to a key file is one long scalar).
 */
export function shown(value: unknown, limit = QUOTE_LIMIT): string {
  const text = typeof value === 'string' ? value : plainText(value) || String(value);
  // Only the part that is kept is split into characters: a megabyte name costs what its first characters do.
  const head = text.length > limit * 2 ? text.slice(0, limit * 2) : text;
  const chars = [...head];
  const clipped = chars.length > limit || head.length < text.length ? `${chars.slice(0, limit).join('')}…` : head;
  // eslint-disable-next-line no-control-regex -- control characters are what must not reach a message raw
  return clipped.replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A value from a model or a pack quoted in a message: `shown`, in single quotes. */
export function quoted(value: unknown, limit = QUOTE_LIMIT): string {
  return `'${shown(value, limit)}'`;
}

/**
 * `table[key]` for a key read from a model or a rule pack, only when the table has it as its own property: a component
 * `type: constructor` or a pack `prop: toString` must not reach Object.prototype.
 */
export function own<V>(table: Readonly<Record<string, V>> | undefined, key: string): V | undefined {
  return table !== undefined && Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}
