// What a key can hold. Strings are stored as the JS string itself (one char
// per byte), so a string key costs one Map entry and two strings and nothing
// else; a Buffer takes its place only once a value is mutated in place
// (SETBIT, SETRANGE, APPEND on a large value). Other types are objects with a
// `type` tag, added by the data-type modules.

export type StringValue = string | Buffer;

/** A non-string value: each data type's structure carries its Redis type name. */
export interface TypedValue {
  readonly type: 'list' | 'hash' | 'set' | 'zset' | 'stream';
  /** OBJECT ENCODING's name for the current representation ("listpack", "quicklist", "hashtable", ...). */
  encoding(): string;
  /** An independent deep copy (COPY). */
  clone(): TypedValue;
  /**
   * Folds the contents into `digest` as Redis's xorObjectDigest does for this
   * type (DEBUG DIGEST / DIGEST-VALUE), with mixDigest/xorDigest from
   * persistence/digest.ts; the type code and TTL are mixed by the caller.
   */
  digest(digest: Uint8Array): void;
}

export type Value = StringValue | TypedValue;

export function isString(v: Value): v is StringValue {
  return typeof v === 'string' || Buffer.isBuffer(v);
}

/** Redis's TYPE name for a value. */
export function typeName(v: Value): string {
  return isString(v) ? 'string' : (v as TypedValue).type;
}

/** A string value as a byte string, whatever its representation. */
export function asByteString(v: StringValue): string {
  return typeof v === 'string' ? v : v.toString('latin1');
}

export const wrongTypeError = 'WRONGTYPE Operation against a key holding the wrong kind of value';
