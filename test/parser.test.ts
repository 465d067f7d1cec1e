import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError, RequestParser, type ParserLimits } from '../src/protocol/parser.js';
import { splitArgs } from '../src/util/splitargs.js';

const limits: ParserLimits = { bulkBytesMax: 512 * 1024 * 1024, authenticated: true };

/** All commands the parser yields for `chunks` fed in order (blank lines included as []). */
function parseChunks(chunks: Buffer[], lim = limits): string[][] {
  const p = new RequestParser();
  const out: string[][] = [];
  for (const c of chunks) {
    p.feed(c);
    for (let argv = p.next(lim); argv !== null; argv = p.next(lim)) out.push(argv);
  }
  return out;
}

/** Asserts `input` parses to `expected` whole, byte by byte, and split at every offset. */
function assertParses(input: string | Buffer, expected: string[][]): void {
  const buf = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  const original = Buffer.from(buf);
  assert.deepEqual(parseChunks([buf]), expected, 'whole');
  const bytes = Array.from(buf, (_, i) => buf.subarray(i, i + 1));
  assert.deepEqual(parseChunks(bytes), expected, 'byte by byte');
  for (let i = 1; i < buf.length; i++) {
    assert.deepEqual(parseChunks([buf.subarray(0, i), buf.subarray(i)]), expected, `split at ${i}`);
  }
  assert.deepEqual(buf, original, 'the parser never writes into the chunks it is fed');
}

function assertProtocolError(input: string, message: string, lim = limits): void {
  const buf = Buffer.from(input, 'latin1');
  for (const chunks of [[buf], Array.from(buf, (_, i) => buf.subarray(i, i + 1))]) {
    assert.throws(() => parseChunks(chunks, lim), (e: unknown) => e instanceof ProtocolError && e.message === message);
  }
}

test('multibulk commands, pipelined', () => {
  assertParses('*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n', [['PING'], ['SET', 'k', 'hello']]);
});

test('binary-safe arguments: CR, LF, NUL and high bytes stay one char per byte', () => {
  const value = Buffer.from([0, 13, 10, 255, 128, 0x2a, 0x24]);
  const input = Buffer.concat([Buffer.from('*2\r\n$3\r\nGET\r\n$7\r\n'), value, Buffer.from('\r\n')]);
  assertParses(input, [['GET', value.toString('latin1')]]);
});

test('empty bulk and empty key', () => {
  assertParses('*2\r\n$3\r\nGET\r\n$0\r\n\r\n', [['GET', '']]);
});

test('*0 and *-1 are ignored', () => {
  assertParses('*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n', [['PING']]);
});

test('inline commands with quotes and escapes', () => {
  assertParses('PING\r\nSET k "a b\\x41\\n" \'it\\\'s\'\nGET k\r\n', [['PING'], ['SET', 'k', 'a bA\n', "it's"], ['GET', 'k']]);
});

test('blank inline lines yield an empty command (a replica keep-alive)', () => {
  assertParses('\r\n\n', [[], []]);
});

test('a large bulk split across many reads', () => {
  const big = 'x'.repeat(100_000);
  const input = Buffer.from(`*2\r\n$3\r\nSET\r\n$${big.length}\r\n${big}\r\n*1\r\n$4\r\nPING\r\n`);
  const chunks: Buffer[] = [];
  for (let i = 0; i < input.length; i += 4093) chunks.push(input.subarray(i, i + 4093));
  assert.deepEqual(parseChunks(chunks), [['SET', big], ['PING']]);
});

test('protocol errors, as Redis words them', () => {
  assertProtocolError('*abc\r\n', 'invalid multibulk length');
  assertProtocolError('*3000000000\r\n', 'invalid multibulk length');
  assertProtocolError('*1\r\n+PING\r\n', "expected '$', got '+'");
  assertProtocolError('*1\r\n$-1\r\n', 'invalid bulk length');
  assertProtocolError('*1\r\n$x\r\n', 'invalid bulk length');
  assertProtocolError('SET k "unterminated\r\n', 'unbalanced quotes in request');
  assertProtocolError('SET k "closed"x\r\n', 'unbalanced quotes in request');
  assertProtocolError('*1\r\n$100\r\n', 'invalid bulk length', { bulkBytesMax: 99, authenticated: true });
});

test('unauthenticated clients get tighter limits', () => {
  const unauth = { bulkBytesMax: 1 << 29, authenticated: false };
  assertProtocolError('*11\r\n', 'unauthenticated multibulk length', unauth);
  assertProtocolError('*1\r\n$16385\r\n', 'unauthenticated bulk length', unauth);
});

test('oversized header and inline lines', () => {
  const long = 'a'.repeat(70 * 1024);
  assert.throws(() => parseChunks([Buffer.from(long)]), /too big inline request/);
  assert.throws(() => parseChunks([Buffer.from('*' + '1'.repeat(70 * 1024))]), /too big mbulk count string/);
  assert.throws(() => parseChunks([Buffer.from('*1\r\n$' + '1'.repeat(70 * 1024))]), /too big bulk count string/);
});

test('splitArgs edge cases', () => {
  assert.deepEqual(splitArgs('  a   b  '), ['a', 'b']);
  assert.deepEqual(splitArgs('""'), ['']);
  assert.deepEqual(splitArgs('"\\x4G"'), ['x4G']);
  assert.equal(splitArgs('"abc'), null);
  assert.equal(splitArgs("'abc"), null);
  // A NUL ends the line, as in sdssplitargs's C string; inside quotes that leaves them unbalanced.
  assert.deepEqual(splitArgs('a b\0c d'), ['a', 'b']);
  assert.equal(splitArgs('a "b\0c" d'), null);
});
