// The hash type: field → value, in a Map that keeps insertion order.
//
// Public API (HashValue):
//   new HashValue()                     an empty hash (listpack encoding)
//   size                                number of fields
//   get(field) / has(field)             a field's value (undefined when absent) / its presence
//   set(field, value, limits)           adds or replaces; true when the field is new. Converts
//                                       listpack → hashtable as Redis's hashTypeSet: a field or value
//                                       longer than limits.value, or more than limits.entries fields
//   delete(field)                       true when the field was there
//   entries() / fields() / values()     in Redis's order: insertion order (a listpack's order; a
//                                       replaced value keeps its place)
//   [Symbol.iterator]()                 the fields, as fields()
//   random()                            a uniformly random field (the hash must not be empty)
//   sampleInOrder(count)                `count` distinct random fields in hash order
//   scanIterator()                      a live iterator over entries for HSCAN cursors
//   encoding(), clone(), digest()       TypedValue: OBJECT ENCODING, COPY, DEBUG DIGEST
//
// `limits` come from hash-max-listpack-entries / hash-max-listpack-value
// (`hashLimits(config)`), read at mutation time. Redis never converts a
// hashtable back to a listpack; neither does this. The structure is always
// the Map: `listpack` only records what OBJECT ENCODING must answer.

import { mixDigest, xorDigest } from '../persistence/digest.js';
import { RandomIndex, type Sampleable } from './set.js';
import type { TypedValue } from './value.js';

export interface HashLimits {
  /** hash-max-listpack-entries: most fields a listpack holds. */
  entries: number;
  /** hash-max-listpack-value: longest field or value, in bytes, a listpack holds. */
  value: number;
}

/** The limits from the server config, read at mutation time. */
export function hashLimits(config: { getInt(name: string): number }): HashLimits {
  return { entries: config.getInt('hash-max-listpack-entries'), value: config.getInt('hash-max-listpack-value') };
}

export class HashValue implements TypedValue, Sampleable {
  readonly type = 'hash';
  private readonly map = new Map<string, string>();
  private listpack = true;
  private index: RandomIndex | null = null;

  get size(): number {
    return this.map.size;
  }

  get(field: string): string | undefined {
    return this.map.get(field);
  }

  has(field: string): boolean {
    return this.map.has(field);
  }

  set(field: string, value: string, limits: HashLimits): boolean {
    if (this.listpack && (field.length > limits.value || value.length > limits.value)) this.listpack = false;
    const isNew = !this.map.has(field);
    this.map.set(field, value);
    if (isNew) {
      this.index?.add(field);
      if (this.map.size > limits.entries) this.listpack = false;
    }
    return isNew;
  }

  delete(field: string): boolean {
    if (!this.map.delete(field)) return false;
    this.index?.delete(field);
    return true;
  }

  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }

  fields(): IterableIterator<string> {
    return this.map.keys();
  }

  values(): IterableIterator<string> {
    return this.map.values();
  }

  [Symbol.iterator](): Iterator<string> {
    return this.map.keys();
  }

  random(): string {
    if (this.index === null) this.index = new RandomIndex(this.map.keys());
    return this.index.pick();
  }

  /**
   * `count` distinct random fields (0 < count <= size) in hash order, each
   * field equally likely (selection sampling in one pass): what Redis's
   * HRANDFIELD answers for a listpack.
   */
  sampleInOrder(count: number): string[] {
    const out: string[] = [];
    let left = this.map.size;
    for (const field of this.map.keys()) {
      if (Math.random() * left < count - out.length) {
        out.push(field);
        if (out.length === count) break;
      }
      left--;
    }
    return out;
  }

  /** An iterator that stays valid while the hash changes (fields added later are visited too). */
  scanIterator(): Iterator<[string, string]> {
    return this.map.entries();
  }

  encoding(): string {
    return this.listpack ? 'listpack' : 'hashtable';
  }

  clone(): HashValue {
    const copy = new HashValue();
    for (const [f, v] of this.map) copy.map.set(f, v);
    copy.listpack = this.listpack;
    return copy;
  }

  digest(digest: Uint8Array): void {
    const element = new Uint8Array(20);
    for (const [f, v] of this.map) {
      element.fill(0);
      mixDigest(element, f);
      mixDigest(element, v);
      xorDigest(digest, element);
    }
  }
}
