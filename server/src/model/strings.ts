/** String helpers for what the server keeps for long: V8 details that cost megabytes on large models. */

/**
 * The same text as a newly allocated flat string. Joining two parts always builds one in V8, whereas `+` and template
 * literals build a tree of the pieces that stays alive with the result, and a slice of the parser's text keeps its
 * memory page alive (docs/performance.md, Memory).
 */
export function flatCopy(text: string): string {
  return text.length < 2 ? text : [text.slice(0, 1), text.slice(1)].join('');
}
