/**
 * Glob matching in time linear in the pattern times the path, for globs that come from a model, a setting or a rule
 * pack someone else wrote.
 *
 * Every glob library for JavaScript compiles globs to regular expressions, and V8's backtracking engine takes
 * exponential time on some of them: `*a*a*a*a*a*a*a*a*a*a*a*a*b` against a file named with forty `a` took minutes per
 * file, extglobs like `@(a*)*(a*)` as long (minimatch's README says no regex-based glob matcher can be defended against
 * a hostile pattern). Here a glob is compiled to segments of tokens and matched without regular expressions: within a
 * segment the classic wildcard algorithm (back to the last `*` only), across segments the same with `**`, so a match
 * costs at most (path length × glob length) steps, whatever the glob.
 *
 * The language is what people write in `code:` and `files.exclude`, with picomatch's `dot: true` meaning: `*` and `?`
 * within one path segment (dot files included), `**` as a whole segment for any number of segments (none included;
 * elsewhere it is `*`), `[abc]`, `[a-z]`, `[!a]`/`[^a]`, `[[:alpha:]]`, `{a,b}` (nested) and `{1..5}`/`{a..e}` ranges,
 * `\` escaping the next character. Refused, with a reason: extglobs (`@(…)`, `*(…)`, `+(…)`, `?(…)`, `!(…)`), a leading
 * `!` (negation), globs longer than MAX_GLOB_LENGTH and braces that expand to more than MAX_ALTERNATIVES globs.
 */

/** Longer globs are refused: nobody writes one, and it bounds the cost of every match. */
export const MAX_GLOB_LENGTH = 1_000;
/** Braces may expand to at most this many globs. */
export const MAX_ALTERNATIVES = 256;

type Token =
  | { readonly kind: 'char'; readonly char: string }
  | { readonly kind: 'any' }
  | { readonly kind: 'star' }
  | { readonly kind: 'class'; readonly negated: boolean; readonly test: (c: string) => boolean };

/** One path segment's pattern, or `**`: any number of segments. */
type Segment = readonly Token[] | 'globstar';

export type CompiledGlob = { readonly matches: (path: string) => boolean } | { readonly refused: string };

const POSIX_CLASSES: Readonly<Record<string, (c: string) => boolean>> = {
  alnum: (c) => /^[\p{L}\p{N}]$/u.test(c),
  alpha: (c) => /^\p{L}$/u.test(c),
  ascii: (c) => c.charCodeAt(0) < 128,
  blank: (c) => c === ' ' || c === '\t',
  cntrl: (c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127,
  digit: (c) => c >= '0' && c <= '9',
  graph: (c) => c.charCodeAt(0) > 32 && c.charCodeAt(0) !== 127,
  lower: (c) => c !== c.toUpperCase() && c === c.toLowerCase(),
  print: (c) => c.charCodeAt(0) >= 32 && c.charCodeAt(0) !== 127,
  punct: (c) => /^[!-/:-@[-`{-~]$/.test(c),
  space: (c) => /^\s$/.test(c),
  upper: (c) => c !== c.toLowerCase() && c === c.toUpperCase(),
  word: (c) => /^[\p{L}\p{N}_]$/u.test(c),
  xdigit: (c) => /^[0-9A-Fa-f]$/.test(c),
};

class Refused extends Error {}

/** Whether `glob` has a wildcard, a class or braces (unescaped): otherwise it names one path. */
export function isGlob(glob: string): boolean {
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?' || c === '[' || c === '{') return true;
  }
  return false;
}

/** Compiles one glob, or says why it is refused. */
export function compileGlob(glob: string): CompiledGlob {
  try {
    if (glob.length > MAX_GLOB_LENGTH) throw new Refused(`it is longer than ${MAX_GLOB_LENGTH.toLocaleString('en-US')} characters`);
    if (glob.startsWith('!')) throw new Refused('a leading ! (negation) is not supported');
    const compiled = expandBraces(glob).map(parseSegments);
    return { matches: (path) => compiled.some((segments) => matchPath(segments, path.split('/'))) };
  } catch (e) {
    if (e instanceof Refused) return { refused: e.message };
    throw e;
  }
}

/** One matcher for several globs (any of them matching); refused globs match nothing and are returned. */
export function globMatcher(globs: readonly string[]): { matches: (path: string) => boolean; refused: { glob: string; reason: string }[] } {
  const matchers: ((path: string) => boolean)[] = [];
  const refused: { glob: string; reason: string }[] = [];
  for (const glob of globs) {
    const c = compileGlob(glob);
    if ('refused' in c) refused.push({ glob, reason: c.refused });
    else matchers.push(c.matches);
  }
  return { matches: (path) => matchers.some((m) => m(path)), refused };
}

// --- braces -------------------------------------------------------------------------------------------------------

/** The index of the `}` that closes the `{` at `open`, or -1; and whether a `,` or `..` at its own level makes it braces. */
function closingBrace(glob: string, open: number): number {
  let depth = 0;
  for (let i = open; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\') i++;
    else if (c === '[') i = classEnd(glob, i);
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

/** The parts of a brace body split at its top-level commas. */
function splitAlternatives(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') i++;
    else if (c === '[') i = classEnd(body, i);
    else if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts;
}

/** `{1..5}` and `{a..e}` as their members; undefined when the body is not a range. */
function range(body: string): string[] | undefined {
  const numeric = /^(-?\d+)\.\.(-?\d+)$/.exec(body);
  const letters = /^([a-zA-Z])\.\.([a-zA-Z])$/.exec(body);
  if (!numeric && !letters) return undefined;
  const [from, to] = numeric ? [Number(numeric[1]), Number(numeric[2])] : [letters![1].charCodeAt(0), letters![2].charCodeAt(0)];
  const count = Math.abs(to - from) + 1;
  if (count > MAX_ALTERNATIVES) throw new Refused(`its braces expand to more than ${MAX_ALTERNATIVES} globs`);
  const step = to >= from ? 1 : -1;
  return Array.from({ length: count }, (_, i) => (numeric ? String(from + i * step) : String.fromCharCode(from + i * step)));
}

/** Every glob the braces of `glob` stand for (itself when it has none), at most MAX_ALTERNATIVES. */
function expandBraces(glob: string): string[] {
  let results = [''];
  let literalStart = 0;
  const append = (suffixes: readonly string[]) => {
    const next: string[] = [];
    for (const r of results) for (const s of suffixes) next.push(r + s);
    if (next.length > MAX_ALTERNATIVES) throw new Refused(`its braces expand to more than ${MAX_ALTERNATIVES} globs`);
    results = next;
  };
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '[') {
      i = classEnd(glob, i);
      continue;
    }
    if (c !== '{') continue;
    const close = closingBrace(glob, i);
    if (close < 0) continue; // an unclosed brace is a literal `{`
    const body = glob.slice(i + 1, close);
    const members = range(body) ?? (splitAlternatives(body).length > 1 ? splitAlternatives(body).flatMap(expandBraces) : undefined);
    if (!members) continue; // `{a}` is literal
    append([glob.slice(literalStart, i)]);
    append(members);
    literalStart = close + 1;
    i = close;
  }
  append([glob.slice(literalStart)]);
  return results;
}

// --- segments and tokens ------------------------------------------------------------------------------------------

/** The index of the `]` that closes the class opened at `open`, or `open` itself when it is not a class. */
function classEnd(glob: string, open: number): number {
  let i = open + 1;
  if (glob[i] === '!' || glob[i] === '^') i++;
  if (glob[i] === ']') i++; // a `]` first in the class is a member
  for (; i < glob.length; i++) {
    if (glob[i] === '\\') i++;
    else if (glob[i] === '[' && glob[i + 1] === ':') {
      const end = glob.indexOf(':]', i + 2);
      if (end > 0) i = end + 1;
    } else if (glob[i] === ']') return i;
    else if (glob[i] === '/') return open;
  }
  return open;
}

function parseClass(glob: string, open: number, close: number): Token {
  let i = open + 1;
  const negated = glob[i] === '!' || glob[i] === '^';
  if (negated) i++;
  const tests: ((c: string) => boolean)[] = [];
  const chars = new Set<string>();
  let first = true;
  while (i < close) {
    if (glob[i] === '[' && glob[i + 1] === ':') {
      const end = glob.indexOf(':]', i + 2);
      const name = glob.slice(i + 2, end);
      const test = Object.prototype.hasOwnProperty.call(POSIX_CLASSES, name) ? POSIX_CLASSES[name] : undefined;
      if (!test) throw new Refused(`[:${name.slice(0, 20)}:] is not a character class`);
      tests.push(test);
      i = end + 2;
      first = false;
      continue;
    }
    let c = glob[i];
    if (c === '\\' && i + 1 < close) c = glob[++i];
    else if (c === ']' && !first) break;
    first = false;
    if (glob[i + 1] === '-' && i + 2 < close) {
      let to = glob[i + 2];
      let next = i + 3;
      if (to === '\\' && i + 3 < close) {
        to = glob[i + 3];
        next = i + 4;
      }
      const lo = c.codePointAt(0)!;
      const hi = to.codePointAt(0)!;
      tests.push((x) => {
        const code = x.codePointAt(0)!;
        return code >= lo && code <= hi;
      });
      i = next;
      continue;
    }
    chars.add(c);
    i++;
  }
  return { kind: 'class', negated, test: (c) => chars.has(c) || tests.some((t) => t(c)) };
}

const EXTGLOB = /[@*+?!]\(/;

function parseSegment(text: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) tokens.push({ kind: 'char', char: text[++i] });
    else if (c === '*') {
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' }); // `**` inside a segment is `*`
    } else if (c === '?') tokens.push({ kind: 'any' });
    else if (c === '[') {
      const close = classEnd(text, i);
      if (close === i) tokens.push({ kind: 'char', char: '[' });
      else {
        tokens.push(parseClass(text, i, close));
        i = close;
      }
    } else tokens.push({ kind: 'char', char: c });
  }
  return tokens;
}

function parseSegments(glob: string): Segment[] {
  if (EXTGLOB.test(glob.replace(/\\./g, ''))) throw new Refused('extglobs such as @(…), *(…) and +(…) are not supported');
  const segments: Segment[] = [];
  for (const part of glob.split('/')) {
    if (part === '**') {
      if (segments.at(-1) !== 'globstar') segments.push('globstar');
    } else segments.push(parseSegment(part));
  }
  return segments;
}

// --- matching -----------------------------------------------------------------------------------------------------

function tokenMatches(token: Token, c: string): boolean {
  switch (token.kind) {
    case 'char':
      return token.char === c;
    case 'any':
      return true;
    case 'class':
      return token.test(c) !== token.negated;
    case 'star':
      return false;
  }
}

/**
 * One segment against its pattern: on a mismatch, go back to the last `*` and let it take one more character. Each
 * `*` restarts at most once per character, so this is at most |text| × |tokens| steps.
 */
function matchSegment(tokens: readonly Token[], text: string): boolean {
  let t = 0;
  let s = 0;
  let starT = -1;
  let starS = 0;
  while (s < text.length) {
    const token = tokens[t];
    if (token?.kind === 'star') {
      starT = t++;
      starS = s;
    } else if (token && tokenMatches(token, text[s])) {
      t++;
      s++;
    } else if (starT >= 0) {
      t = starT + 1;
      s = ++starS;
    } else return false;
  }
  while (tokens[t]?.kind === 'star') t++;
  return t === tokens.length;
}

/** `.` and `..` are matched by themselves only, never by a wildcard (as in every shell). */
function segmentMatches(tokens: readonly Token[], part: string): boolean {
  if (part === '.' || part === '..') return tokens.length === part.length && tokens.every((t) => t.kind === 'char' && t.char === '.');
  return matchSegment(tokens, part);
}

/**
 * The path's segments against the glob's, `**` taking any number of segments but never `.` or `..` (a glob written
 * inside the model's folder does not reach out of it). A table from the end, one row per glob segment: at most
 * (glob segments × path segments) segment matches.
 */
function matchPath(segments: readonly Segment[], parts: readonly string[]): boolean {
  // next[j]: whether segments i+1… match parts j…; row[j] the same from segment i.
  let next = new Array<boolean>(parts.length + 1).fill(false);
  next[parts.length] = true;
  for (let i = segments.length - 1; i >= 0; i--) {
    const segment = segments[i];
    const row = new Array<boolean>(parts.length + 1).fill(false);
    for (let j = parts.length; j >= 0; j--) {
      if (segment === 'globstar') row[j] = next[j] || (j < parts.length && parts[j] !== '.' && parts[j] !== '..' && row[j + 1]);
      else row[j] = j < parts.length && next[j + 1] && segmentMatches(segment, parts[j]);
    }
    next = row;
  }
  return next[0];
}
