/**
 * LZF compression compatible with the liblzf 3.6 build bundled in Redis 7.0
 * (HLOG=16, VERY_FAST=1, ULTRA_FAST=0, INIT_HTAB=0, CHECK_INPUT=1).
 *
 * Compressed format:
 *   000LLLLL <L+1 literal bytes>          literal run of 1..32 bytes
 *   LLLooooo oooooooo                     back reference, length L+2 (L = 1..6)
 *   111ooooo LLLLLLLL oooooooo            back reference, length L+9
 * where the offset o is (distance - 1), distance up to 8192.
 *
 * The compressor follows liblzf's algorithm step by step (same hash, same
 * match search, same output-size limit checks) so that for the same input it
 * produces the same bytes as Redis, which makes our DUMP payloads byte-identical.
 * Redis leaves its hash table (64K offsets on the stack) uninitialised, so a
 * slot not yet written during the current call may hold an offset left by an
 * earlier call, which occasionally yields an extra match. We always start
 * from an empty table, so our output is a pure function of the input; it
 * equals Redis's except in those rare stale-slot cases (both decode to the
 * same bytes either way).
 */

export class LzfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LzfError';
  }
}

const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/*
 * Hash table of positions. Instead of clearing 64K slots on every call, each
 * call gets a fresh range of stamps [base, base + inLen]: a slot holding a
 * value below `base` belongs to an earlier call and means "empty".
 */
const htab = new Int32Array(HSIZE);
let stampNext = 1;

function idx(h: number): number {
  // ((h >> (3*8 - HLOG)) - h*5) & (HSIZE - 1), with unsigned 32-bit h.
  return ((h >>> 8) - Math.imul(h, 5)) & (HSIZE - 1);
}

/**
 * Raw liblzf lzf_compress(): compress `input` into at most `outLen` bytes.
 * Returns the compressed bytes, or null when they do not fit in `outLen`
 * (or when input or outLen is empty), exactly when liblzf returns 0.
 */
export function lzfCompressRaw(input: Uint8Array | Buffer, outLen: number): Uint8Array | null {
  const out = new Uint8Array(outLen + lzfOutSlack);
  const n = lzfCompressInto(input, input.length, out, outLen);
  return n === 0 ? null : out.subarray(0, n);
}

/** Bytes an output buffer needs beyond `outLen` for lzfCompressInto. */
export const lzfOutSlack = 8;

/**
 * lzfCompressRaw into a caller's buffers (the first `inLen` bytes of `input`;
 * `out` at least outLen + lzfOutSlack bytes), so that saving many values
 * allocates nothing: the compressed length, or 0 when it does not fit.
 */
export function lzfCompressInto(input: Uint8Array, inLen: number, out: Uint8Array, outLen: number): number {
  if (inLen === 0 || outLen <= 0) return 0;
  if (stampNext + inLen + 1 > 0x7fffffff) {
    htab.fill(0);
    stampNext = 1;
  }
  const base = stampNext;
  stampNext += inLen + 1;

  const outEnd = outLen;
  const inEnd = inLen;
  let ip = 0;
  let op = 1; // start run
  let lit = 0;
  let hval = (input[0] << 8) | (inLen > 1 ? input[1] : 0);

  while (ip < inEnd - 2) {
    hval = (hval << 8) | input[ip + 2];
    const slot = idx(hval);
    const stamped = htab[slot];
    htab[slot] = base + ip;
    const ref = stamped - base; // negative when the slot is empty/stale
    let off: number;
    if (
      ref > 0 &&
      (off = ip - ref - 1) >= 0 &&
      off < MAX_OFF &&
      input[ref] === input[ip] &&
      input[ref + 1] === input[ip + 1] &&
      input[ref + 2] === input[ip + 2]
    ) {
      let len = 2;
      let maxlen = inEnd - ip - len;
      if (maxlen > MAX_REF) maxlen = MAX_REF;

      if (op - (lit === 0 ? 1 : 0) + 3 + 1 >= outEnd) return 0;

      out[op - lit - 1] = (lit - 1) & 0xff; // stop run
      if (lit === 0) op--; // undo run if length is zero

      search: {
        if (maxlen > 16) {
          for (let k = 0; k < 16; k++) {
            len++;
            if (input[ref + len] !== input[ip + len]) break search;
          }
        }
        do {
          len++;
        } while (len < maxlen && input[ref + len] === input[ip + len]);
      }

      len -= 2; // now (match length - 2)
      ip++;

      if (len < 7) {
        out[op++] = ((off >> 8) + (len << 5)) & 0xff;
      } else {
        out[op++] = ((off >> 8) + (7 << 5)) & 0xff;
        out[op++] = (len - 7) & 0xff;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++; // start run

      ip += len + 1;
      if (ip >= inEnd - 2) break;

      // VERY_FAST: hash the last two positions of the match.
      ip -= 2;
      hval = (input[ip] << 8) | input[ip + 1];
      hval = (hval << 8) | input[ip + 2];
      htab[idx(hval)] = base + ip;
      ip++;
      hval = (hval << 8) | input[ip + 2];
      htab[idx(hval)] = base + ip;
      ip++;
    } else {
      // one more literal byte we must copy
      if (op >= outEnd) return 0;
      lit++;
      out[op++] = input[ip++];
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1; // stop run
        lit = 0;
        op++; // start run
      }
    }
  }

  if (op + 3 > outEnd) return 0; // at most 3 bytes can be missing here

  while (ip < inEnd) {
    lit++;
    out[op++] = input[ip++];
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }

  out[op - lit - 1] = (lit - 1) & 0xff; // end run
  if (lit === 0) op--; // undo run if length is zero

  return op;
}

/**
 * Compress like Redis's rdbSaveLzfStringObject(): only worth it when it saves
 * at least four bytes, so the output must fit in `input.length - 4` bytes.
 * Returns null when the input is <= 4 bytes or does not compress enough.
 * (rdbSaveRawString additionally only tries LZF for strings longer than 20
 * bytes; that check lives in RdbWriter.writeString.)
 */
export function lzfCompress(input: Uint8Array | Buffer): Uint8Array | null {
  if (input.length <= 4) return null;
  return lzfCompressRaw(input, input.length - 4);
}

/**
 * Upper bound of the decompressed size of `compressedLen` LZF bytes: the best
 * ratio is a 3-byte back reference expanding to 264 bytes.
 */
export function lzfMaxDecompressedLen(compressedLen: number): number {
  return Math.ceil(compressedLen / 3) * MAX_REF;
}

/**
 * liblzf lzf_decompress() with all bounds checks. The stream must expand to
 * exactly `expectedLen` bytes; otherwise an LzfError is thrown. Never reads or
 * writes out of bounds.
 *
 * Like Redis (which compares lzf_decompress()'s return value with the
 * expected length, and liblzf returns 0 on error) an expected length of 0 is
 * always accepted and yields an empty result.
 */
export function lzfDecompress(input: Uint8Array | Buffer, expectedLen: number): Uint8Array {
  if (!Number.isSafeInteger(expectedLen) || expectedLen < 0) {
    throw new LzfError(`invalid LZF expected length ${expectedLen}`);
  }
  if (expectedLen === 0) return new Uint8Array(0);
  const inEnd = input.length;
  if (inEnd === 0) throw new LzfError('empty LZF input');
  if (expectedLen > lzfMaxDecompressedLen(inEnd)) {
    throw new LzfError(`LZF data of ${inEnd} bytes cannot expand to ${expectedLen} bytes`);
  }
  const out = new Uint8Array(expectedLen);
  const outEnd = expectedLen;
  let ip = 0;
  let op = 0;

  do {
    let ctrl = input[ip++];
    if (ctrl < 1 << 5) {
      // literal run
      ctrl++;
      if (op + ctrl > outEnd) throw new LzfError('LZF output overflow (literal run)');
      if (ip + ctrl > inEnd) throw new LzfError('LZF input truncated (literal run)');
      if (ctrl > 8) {
        out.set(input.subarray(ip, ip + ctrl), op);
        ip += ctrl;
        op += ctrl;
      } else {
        do {
          out[op++] = input[ip++];
        } while (--ctrl);
      }
    } else {
      // back reference
      let len = ctrl >>> 5;
      let ref = op - ((ctrl & 0x1f) << 8) - 1;
      if (ip >= inEnd) throw new LzfError('LZF input truncated (back reference)');
      if (len === 7) {
        len += input[ip++];
        if (ip >= inEnd) throw new LzfError('LZF input truncated (back reference)');
      }
      ref -= input[ip++];
      if (op + len + 2 > outEnd) throw new LzfError('LZF output overflow (back reference)');
      if (ref < 0) throw new LzfError('LZF back reference before start of output');
      len += 2;
      if (ref + len <= op) {
        out.copyWithin(op, ref, ref + len);
        op += len;
      } else {
        do {
          out[op++] = out[ref++];
        } while (--len);
      }
    }
  } while (ip < inEnd);

  if (op !== expectedLen) {
    throw new LzfError(`LZF data expanded to ${op} bytes, expected ${expectedLen}`);
  }
  return out;
}
