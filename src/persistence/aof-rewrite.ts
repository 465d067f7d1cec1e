// The AOF's own format: commands as RESP multibulk arrays, and the commands
// that rebuild a snapshot of the dataset (an AOF base written with
// aof-use-rdb-preamble no), as Redis 7.0's rewriteAppendOnlyFileRio: SET,
// RPUSH, SADD, ZADD, HMSET and XADD/XSETID/XGROUP/XCLAIM, collections in
// batches of AOF_REWRITE_ITEMS_PER_CMD, then PEXPIREAT for a TTL.

import type { FileEncoder, RdbSink } from './rdb-save.js';
import { ListValue } from '../store/list.js';
import { HashValue } from '../store/hash.js';
import { SetValue } from '../store/set.js';
import { ZSetValue } from '../store/zset.js';
import { StreamValue, formatId, maxId, zeroId, type StreamId } from '../store/stream.js';
import { asByteString, isString, type Value } from '../store/value.js';
import { formatDouble17g } from '../util/numbers.js';

/** Redis's AOF_REWRITE_ITEMS_PER_CMD: elements per RPUSH/SADD/ZADD/HMSET. */
export const rewriteItemsPerCommand = 64;
/** Text kept before a chunk goes to the sink. */
const chunkChars = 64 * 1024;

/** One command as the AOF stores it: `*<argc>` then `$<len>` + bytes per argument (latin1 strings). */
export function encodeCommand(argv: readonly string[]): string {
  let out = `*${argv.length}\r\n`;
  for (const a of argv) out += `$${a.length}\r\n${a}\r\n`;
  return out;
}

/** SELECT as feedAppendOnlyFile writes it. */
export function encodeSelect(db: number): string {
  return encodeCommand(['SELECT', String(db)]);
}

/** The "#TS:<unix time>" annotation written with aof-timestamp-enabled. */
export function timestampAnnotation(unixSeconds: number): string {
  return `#TS:${unixSeconds}\r\n`;
}

/** Serialises the keys of a snapshot as the commands that recreate them. */
export class AofRewriter implements FileEncoder {
  private readonly sink: RdbSink;
  private text = '';
  private selectedDb = -1;
  /** Bytes handed to the sink so far. */
  bytesWritten = 0;

  constructor(sink: RdbSink, timestamp: boolean) {
    this.sink = sink;
    if (timestamp) this.text = timestampAnnotation(Math.floor(Date.now() / 1000));
  }

  beginDb(db: number): void {
    this.select(db);
  }

  key(db: number, key: string, value: Value, expireAt: number | undefined): void {
    this.select(db);
    if (isString(value)) this.emit(['SET', key, asByteString(value)]);
    else if (value instanceof ListValue) this.batches('RPUSH', key, value.values(), 1);
    else if (value instanceof SetValue) this.batches('SADD', key, value, 1);
    else if (value instanceof ZSetValue) this.batches('ZADD', key, zsetItems(value), 2);
    else if (value instanceof HashValue) this.batches('HMSET', key, hashItems(value), 2);
    else if (value instanceof StreamValue) this.stream(key, value);
    else throw new Error(`AOF rewrite: unknown value type for key ${key}`);
    if (expireAt !== undefined) this.emit(['PEXPIREAT', key, String(expireAt)]);
    if (this.text.length >= chunkChars) this.flush();
  }

  saturated(): boolean {
    return this.sink.saturated();
  }

  finish(): void {
    this.flush();
  }

  private select(db: number): void {
    if (db === this.selectedDb) return;
    this.text += encodeSelect(db);
    this.selectedDb = db;
  }

  private emit(argv: readonly string[]): void {
    this.text += encodeCommand(argv);
  }

  /** `name key item...` with at most rewriteItemsPerCommand items (of `width` arguments each) per command. */
  private batches(name: string, key: string, items: Iterable<string>, width: number): void {
    let argv = [name, key];
    for (const item of items) {
      argv.push(item);
      if (argv.length === 2 + rewriteItemsPerCommand * width) {
        this.emit(argv);
        argv = [name, key];
        if (this.text.length >= chunkChars) this.flush();
      }
    }
    if (argv.length > 2) this.emit(argv);
  }

  /** Entries by XADD (an empty stream by the XADD MAXLEN 0 trick), then XSETID, groups, consumers and PEL. */
  private stream(key: string, s: StreamValue): void {
    if (s.length > 0) {
      for (const e of s.range(zeroId, maxId)) {
        const argv = ['XADD', key, formatId(e.id)];
        for (let i = 0; i < e.fields.length; i++) argv.push(e.fields[i], e.values[i]);
        this.emit(argv);
        if (this.text.length >= chunkChars) this.flush();
      }
    } else {
      this.emit(['XADD', key, 'MAXLEN', '0', '0-1', 'x', 'y']);
    }
    this.emit([
      'XSETID', key, formatId(s.lastId), 'ENTRIESADDED', String(s.entriesAdded), 'MAXDELETEDID', formatId(s.maxDeletedId),
    ]);
    for (const [name, group] of s.sortedGroups()) {
      this.emit(['XGROUP', 'CREATE', key, name, formatId(group.lastId), 'ENTRIESREAD', String(group.entriesRead)]);
      for (const consumer of group.sortedConsumers()) {
        if (consumer.pel.size === 0) {
          this.emit(['XGROUP', 'CREATECONSUMER', key, name, consumer.name]);
          continue;
        }
        for (const [id, nack] of consumer.pel.entries()) this.emit(claim(key, name, consumer.name, id, nack));
      }
    }
  }

  private flush(): void {
    if (this.text.length === 0) return;
    const chunk = Buffer.from(this.text, 'latin1');
    this.text = '';
    this.bytesWritten += chunk.length;
    this.sink.write(chunk);
  }
}

/** XCLAIM that puts a pending entry back in its consumer's PEL with its delivery time and count. */
function claim(
  key: string,
  group: string,
  consumer: string,
  id: StreamId,
  nack: { deliveryTime: number; deliveryCount: bigint },
): string[] {
  return [
    'XCLAIM', key, group, consumer, '0', formatId(id), 'TIME', String(nack.deliveryTime),
    'RETRYCOUNT', String(BigInt.asIntN(64, nack.deliveryCount)), 'JUSTID', 'FORCE',
  ];
}

function* zsetItems(z: ZSetValue): Iterable<string> {
  for (const e of z.walk(0)) {
    yield formatDouble17g(e.score);
    yield e.member;
  }
}

function* hashItems(h: HashValue): Iterable<string> {
  for (const [field, value] of h.entries()) {
    yield field;
    yield value;
  }
}
