// Redis's sdssplitargs and sdscatrepr over byte strings: inline commands,
// redis.conf lines and CONFIG REWRITE / MONITOR quoting all use these.

/**
 * Splits a line of byte-string text into arguments like Redis's sdssplitargs:
 * whitespace separates, "double quotes" take \n \r \t \b \a \\ \" and \xHH escapes,
 * 'single quotes' take \' only; a closing quote must be followed by a space.
 * Returns null for unbalanced quotes.
 */
export function splitArgs(line: string): string[] | null {
  // sdssplitargs reads a C string: a NUL ends the line.
  const nul = line.indexOf('\0');
  if (nul !== -1) line = line.slice(0, nul);
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  const isSpace = (ch: string) => ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t' || ch === '\v' || ch === '\f';
  for (;;) {
    while (i < n && isSpace(line[i])) i++;
    if (i >= n) return out;
    let cur = '';
    let inDq = false;
    let inSq = false;
    for (;;) {
      if (inDq) {
        if (i >= n) return null;
        const ch = line[i];
        if (ch === '\\' && line[i + 1] === 'x' && isHex(line[i + 2]) && isHex(line[i + 3])) {
          cur += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (ch === '\\' && i + 1 < n) {
          i++;
          const e = line[i];
          cur += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (ch === '"') {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          inDq = false;
          i++;
          break;
        } else {
          cur += ch;
        }
      } else if (inSq) {
        if (i >= n) return null;
        const ch = line[i];
        if (ch === '\\' && line[i + 1] === "'") {
          i++;
          cur += "'";
        } else if (ch === "'") {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          inSq = false;
          i++;
          break;
        } else {
          cur += ch;
        }
      } else {
        if (i >= n) break;
        const ch = line[i];
        if (isSpace(ch)) break;
        if (ch === '"') inDq = true;
        else if (ch === "'") inSq = true;
        else cur += ch;
      }
      i++;
    }
    out.push(cur);
  }
}

function isHex(ch: string | undefined): boolean {
  return ch !== undefined && /^[0-9a-fA-F]$/.test(ch);
}

/** Quotes a byte string as Redis's sdscatrepr: "..." with C escapes and \xHH for other bytes. */
export function catRepr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 0x5c) out += '\\\\';
    else if (ch === 0x22) out += '\\"';
    else if (ch === 0x0a) out += '\\n';
    else if (ch === 0x0d) out += '\\r';
    else if (ch === 0x09) out += '\\t';
    else if (ch === 0x07) out += '\\a';
    else if (ch === 0x08) out += '\\b';
    else if (ch >= 0x20 && ch < 0x7f) out += s[i];
    else out += '\\x' + ch.toString(16).padStart(2, '0');
  }
  return out + '"';
}
