// Fuzzing the RDB loader with truncated and bit-flipped files: every outcome
// must be a successful load or an RdbLoadError naming an offset inside the
// file — never another exception, never a hang (each test has a time limit).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { rdbLoadLimits } from '../src/persistence/rdb-object.js';
import { RdbLoader, RdbLoadError, type RdbLoadOptions } from '../src/persistence/rdb-load.js';
import { inProcessServer } from './helpers/in-process.js';
import { allTypesCommands, bigCommands, rdb11File, rdb9File, redisDump, seededRandom, smallCommands } from './helpers/rdb-fixtures.js';
import { redisAvailable } from './helpers/servers.js';

const skip = redisAvailable() ? false : 'redis-server not installed';
const timeout = 180_000;

const { server } = inProcessServer();
const loadOptions: RdbLoadOptions = { limits: rdbLoadLimits(server.config), dropExpired: true, now: Date.now(), policy: 'lru' };

/**
 * Loads `data` into emptied databases, in one go or (`sliced`) in step(0)
 * slices; 'ok' or the RdbLoadError. Anything else fails the test, naming the case.
 */
function attempt(data: Buffer, what: string, sliced: boolean): 'ok' | RdbLoadError {
  for (const db of server.dbs) db.clear();
  const loader = new RdbLoader(data, server.dbs, loadOptions);
  try {
    if (sliced) while (!loader.step(0));
    else loader.step(Infinity);
    return 'ok';
  } catch (e) {
    if (!(e instanceof RdbLoadError)) {
      throw new Error(`${what}: not an RdbLoadError: ${e instanceof Error ? e.stack : String(e)}`);
    }
    assert.ok(e.offset >= 0 && e.offset <= data.length, `${what}: offset ${e.offset} of ${data.length}: ${e.message}`);
    return e;
  }
}

function truncations(name: string, data: Buffer, offsets: Iterable<number>): void {
  for (const n of offsets) {
    const outcome = attempt(data.subarray(0, n), `${name} truncated to ${n} bytes`, n % 2 === 1);
    assert.notEqual(outcome, 'ok', `${name} truncated to ${n} bytes loaded`);
  }
}

/** `count` copies of `data`, each with 1 to 3 random bits flipped (seeded, so a failure names a reproducible case). */
function bitFlips(name: string, data: Buffer, count: number, seed: number): { ok: number; errors: number } {
  const rand = seededRandom(seed);
  const tally = { ok: 0, errors: 0 };
  for (let i = 0; i < count; i++) {
    const copy = Buffer.from(data);
    const flips: number[] = [];
    for (let f = 1 + Math.floor(rand() * 3); f > 0; f--) {
      const bit = Math.floor(rand() * copy.length * 8);
      copy[bit >> 3] ^= 1 << (bit & 7);
      flips.push(bit);
    }
    const outcome = attempt(copy, `${name} (seed ${seed}, case ${i}) with bits ${flips.join(',')} flipped`, i % 2 === 1);
    if (outcome === 'ok') tally.ok++;
    else tally.errors++;
  }
  return tally;
}

const allOffsets = (data: Buffer) => Array.from({ length: data.length }, (_, i) => i);

function sampleOffsets(data: Buffer, count: number, seed: number): number[] {
  const rand = seededRandom(seed);
  return Array.from({ length: count }, () => Math.floor(rand() * data.length));
}

describe('RDB loader fuzz: crafted files', { timeout }, () => {
  const files: Array<[string, Buffer]> = [
    ['RDB 9 crafted', rdb9File()],
    ['RDB 11 crafted', rdb11File()],
  ];
  for (const [name, data] of files) {
    // Every offset where that stays cheap (each attempt parses up to the cut), a sample otherwise.
    const offsets = data.length <= 4096 ? allOffsets(data) : sampleOffsets(data, 1000, 2);
    test(`${name}: truncated at ${data.length <= 4096 ? 'every offset' : 'many offsets'}`, () => truncations(name, data, offsets));
    test(`${name}: random bit flips, with and without a checksum`, () => {
      const checked = bitFlips(name, data, 500, 11);
      assert.ok(checked.errors > checked.ok, 'the checksum catches most flips');
      // A zero checksum is not checked: flipped values reach the decoders and some load.
      const unchecked = Buffer.from(data).fill(0, data.length - 8);
      const tally = bitFlips(`${name}, no checksum`, unchecked, 1000, 12);
      assert.ok(tally.errors > 0 && tally.ok > 0, `${tally.ok} loaded, ${tally.errors} refused`);
    });
  }
});

describe('RDB loader fuzz: files written by real Redis 7.0', { skip, timeout }, () => {
  const files = new Map<string, Buffer>();
  before(async () => {
    files.set('small', await redisDump(smallCommands()));
    files.set('small, no checksum', await redisDump(smallCommands(), ['--rdbchecksum', 'no']));
    files.set('all types, no checksum', await redisDump(allTypesCommands(), ['--rdbchecksum', 'no']));
    files.set('big', await redisDump(bigCommands(5000)));
  });
  after(() => {
    for (const db of server.dbs) db.clear();
  });

  test('small: truncated at every offset', () => truncations('small', files.get('small')!, allOffsets(files.get('small')!)));

  test('big: truncated at many offsets', () => {
    const data = files.get('big')!;
    truncations('big', data, sampleOffsets(data, 150, 3));
  });

  test('small: random bit flips, with and without a checksum', () => {
    const checked = bitFlips('small', files.get('small')!, 1500, 5);
    assert.ok(checked.errors > checked.ok, 'the checksum catches most flips');
    const unchecked = bitFlips('small, no checksum', files.get('small, no checksum')!, 1500, 6);
    assert.ok(unchecked.ok > 0, 'without a checksum some corrupted files load');
  });

  test('all types without a checksum: random bit flips reach every value decoder', () => {
    const tally = bitFlips('all types, no checksum', files.get('all types, no checksum')!, 400, 8);
    assert.ok(tally.errors > 0 && tally.ok > 0, `${tally.ok} loaded, ${tally.errors} refused`);
  });

  test('big: random bit flips', () => {
    bitFlips('big', files.get('big')!, 60, 9);
  });
});
