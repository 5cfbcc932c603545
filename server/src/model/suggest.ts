import { distance } from 'fastest-levenshtein';
import { quoted } from '../shared/values';

/**
 * "Did you mean" candidates: close by edit distance (scaled to the word's length) or differing only in case or
 * separators. Best first.
 */
/** Words longer than this get no suggestions: nobody mistypes a word that long, and an edit distance costs its square. */
const MAX_SUGGESTED_LENGTH = 200;

export function suggest(word: string, candidates: Iterable<string>, max = 3): string[] {
  if (word.length > MAX_SUGGESTED_LENGTH) return [];
  const w = normalise(word);
  const scored: { c: string; d: number }[] = [];
  for (const c of candidates) {
    if (c === word || c.length > MAX_SUGGESTED_LENGTH) continue;
    const n = normalise(c);
    if (isNegationOf(w, n) || isNegationOf(n, w)) continue;
    const d = n === w ? 0 : distance(w, n);
    // Short words tolerate one edit; longer ones two or a third of their length (a swap of two letters costs two).
    const longest = Math.max(w.length, n.length);
    const allowed = longest <= 3 ? 1 : Math.max(2, Math.floor(longest / 3));
    if (d <= allowed || (w.length >= 3 && n.startsWith(w))) scored.push({ c, d });
  }
  scored.sort((a, b) => a.d - b.d || a.c.localeCompare(b.c));
  return scored.slice(0, max).map((s) => s.c);
}

const NEGATIONS = ['un', 'non', 'not', 'no', 'in', 'dis'];

/** 'untrusted' is two edits from 'trusted' but means the opposite: never offer an antonym as a typo fix. */
function isNegationOf(a: string, b: string): boolean {
  return NEGATIONS.some((prefix) => a === prefix + b);
}

function normalise(s: string): string {
  return s.toLowerCase().replace(/[-_. ]/g, '');
}

/** "Did you mean 'x'?" or "Did you mean 'x' or 'y'?" or the empty string. */
export function didYouMean(suggestions: readonly string[]): string {
  if (suggestions.length === 0) return '';
  const named = suggestions.map((s) => quoted(s));
  const list = named.length === 1 ? named[0] : `${named.slice(0, -1).join(', ')} or ${named[named.length - 1]}`;
  return ` Did you mean ${list}?`;
}
