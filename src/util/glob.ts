/**
 * Glob-style pattern matching with the exact semantics of Redis 7.0's
 * `stringmatchlen()` (src/util.c), used by KEYS, SCAN/SSCAN/HSCAN/ZSCAN MATCH,
 * PSUBSCRIBE, PUBSUB CHANNELS/NUMPAT, CONFIG GET, COMMAND LIST FILTERBY PATTERN…
 *
 * Patterns and subjects are byte strings (one char code per byte, 0..255).
 *
 * Behaviour notes (all verified against a Redis 7.0.15 reference server):
 *  - `*` any sequence, `?` any single byte, `[...]` class, `[^...]` negated
 *    class, `a-z` ranges (reversed ranges like `z-a` are swapped), `\x` escape.
 *  - An EMPTY subject never matches a non-empty pattern, not even `*`.
 *    (KEYS and *SCAN special-case the pattern "*" as "everything" before calling
 *    the matcher; callers must do the same if they want "" to match "*".)
 *  - `[]` is an empty class (never matches); `[]a]` is `[]` followed by `a]`.
 *  - An unterminated class (`[abc`) ends at the end of the pattern; `[` alone
 *    never matches, `[^` matches any single byte.
 *  - Inside a class, `\x` matches x exactly (case-sensitively even in nocase
 *    mode); a trailing `\` is literal.
 *  - Ranges compare bytes as C `char` (signed on x86-64): bytes 0x80..0xFF
 *    sort BELOW 0x00..0x7F inside ranges, e.g. `[a-\xff]` is the range
 *    -1..97, i.e. \xff plus \x00..'a'.
 *  - nocase folds only ASCII A-Z (C locale tolower).
 *  - Recursion on `*` is limited to a nesting depth of 1000: deeper levels
 *    report "no match" (Redis 7.0.10+ protection against abusive patterns).
 */

let skipLongerMatches = false;

/** C `(int)(char)c` on a signed-char platform. */
function sch(c: number): number {
  return c >= 128 ? c - 256 : c;
}

/** C-locale tolower() on an int (possibly negative) char value. */
function lc(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function matchImpl(pat: string, p: number, str: string, s: number, nocase: boolean, nesting: number): boolean {
  if (nesting > 1000) return false;
  const pEnd = pat.length;
  const sEnd = str.length;

  while (p < pEnd && s < sEnd) {
    let pc = pat.charCodeAt(p);
    switch (pc) {
      case 42 /* '*' */: {
        while (p + 1 < pEnd && pat.charCodeAt(p + 1) === 42) p++;
        if (p + 1 === pEnd) return true;
        while (s < sEnd) {
          if (matchImpl(pat, p + 1, str, s, nocase, nesting + 1)) return true;
          if (skipLongerMatches) return false;
          s++;
        }
        // No match for the rest of the pattern anywhere in the rest of the
        // string: a longer match of an earlier '*' cannot help either.
        skipLongerMatches = true;
        return false;
      }
      case 63 /* '?' */:
        s++;
        break;
      case 91 /* '[' */: {
        p++;
        const not = p < pEnd && pat.charCodeAt(p) === 94; /* '^' */
        if (not) p++;
        let match = false;
        const c = str.charCodeAt(s);
        for (;;) {
          const rem = pEnd - p;
          const ch = rem > 0 ? pat.charCodeAt(p) : 0; /* C sees the NUL terminator */
          if (ch === 92 /* '\\' */ && rem >= 2) {
            p++;
            if (pat.charCodeAt(p) === c) match = true;
          } else if (ch === 93 /* ']' */) {
            break;
          } else if (rem === 0) {
            p--; /* unterminated class: the outer p++ lands on the end */
            break;
          } else if (rem >= 3 && pat.charCodeAt(p + 1) === 45 /* '-' */) {
            let start = sch(ch);
            let end = sch(pat.charCodeAt(p + 2));
            let cc = sch(c);
            if (start > end) {
              const t = start;
              start = end;
              end = t;
            }
            if (nocase) {
              start = lc(start);
              end = lc(end);
              cc = lc(cc);
            }
            p += 2;
            if (cc >= start && cc <= end) match = true;
          } else if (!nocase) {
            if (ch === c) match = true;
          } else if (lc(ch) === lc(c)) {
            match = true;
          }
          p++;
        }
        if (not) match = !match;
        if (!match) return false;
        s++;
        break;
      }
      default: {
        if (pc === 92 /* '\\' escape; a trailing lone '\\' is literal */ && pEnd - p >= 2) {
          p++;
          pc = pat.charCodeAt(p);
        }
        const c = str.charCodeAt(s);
        if (nocase ? lc(pc) !== lc(c) : pc !== c) return false;
        s++;
        break;
      }
    }
    p++;
    if (s === sEnd) {
      while (p < pEnd && pat.charCodeAt(p) === 42) p++;
      break;
    }
  }
  return p === pEnd && s === sEnd;
}

/**
 * Match `str` against glob `pattern` exactly like Redis 7.0 stringmatchlen().
 * Note: `globMatch("*", "")` is false (see module notes).
 */
export function globMatch(pattern: string, str: string, nocase = false): boolean {
  skipLongerMatches = false;
  return matchImpl(pattern, 0, str, 0, nocase, 0);
}

/** ASCII-only lower-casing (C locale), leaving bytes >= 0x80 untouched. */
function asciiLower(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return s;
}

/**
 * Split a pattern into literal runs and star runs, unescaping `\x` (outside of
 * classes `\x` is just x; a trailing lone `\` is a literal backslash).
 * Returns null if the pattern contains `?` or `[` (needs the general matcher).
 */
function tokenize(pattern: string): (string | null)[] | null {
  const out: (string | null)[] = []; // null = a run of '*'
  let lit = '';
  let hasLit = false;
  const n = pattern.length;
  for (let i = 0; i < n; i++) {
    const c = pattern.charCodeAt(i);
    if (c === 63 || c === 91) return null;
    if (c === 42) {
      if (hasLit) {
        out.push(lit);
        lit = '';
        hasLit = false;
      }
      if (out.length === 0 || out[out.length - 1] !== null) out.push(null);
      continue;
    }
    if (c === 92 && i + 1 < n) i++;
    lit += pattern[i];
    hasLit = true;
  }
  if (hasLit) out.push(lit);
  return out;
}

/**
 * Compile a pattern into a predicate with the same semantics as
 * `globMatch(pattern, s, nocase)`, with fast paths for the common shapes:
 * `*`, `literal`, `prefix*`, `*suffix`, `*infix*`. Anything else uses the
 * general matcher. Remember: like Redis' matcher, "*" does not match "".
 */
export function compileGlob(pattern: string, nocase = false): (s: string) => boolean {
  const toks = tokenize(pattern);
  if (toks !== null && toks.length <= 3) {
    const fold = nocase ? asciiLower : (x: string) => x;
    const lits = toks.map((t) => (t === null ? null : fold(t)));
    const [a, b, c] = lits;
    if (lits.length === 0) return (s) => s.length === 0; // empty pattern
    if (lits.length === 1) {
      if (a === null) return (s) => s.length > 0; // "*", "**", ...
      const lit = a as string;
      return nocase ? (s) => s.length === lit.length && asciiLower(s) === lit : (s) => s === lit;
    }
    if (lits.length === 2) {
      if (b === null) {
        const pre = a as string; // "prefix*" (matches prefix itself too)
        return nocase ? (s) => s.length >= pre.length && asciiLower(s.slice(0, pre.length)) === pre : (s) => s.startsWith(pre);
      }
      const suf = b as string; // "*suffix"
      return nocase
        ? (s) => s.length >= suf.length && asciiLower(s.slice(s.length - suf.length)) === suf
        : (s) => s.endsWith(suf);
    }
    if (a === null && c === null) {
      const mid = b as string; // "*infix*"
      return nocase ? (s) => asciiLower(s).includes(mid) : (s) => s.includes(mid);
    }
  }
  return (s) => {
    skipLongerMatches = false;
    return matchImpl(pattern, 0, s, 0, nocase, 0);
  };
}
