// The replication backlog: a circular window on the stream, addressed by offsets.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReplicationBacklog } from '../src/replication/backlog.js';

test('the backlog returns the stream from any offset it still holds', () => {
  const b = new ReplicationBacklog(10, 100);
  assert.equal(b.firstOffset, 101);
  assert.equal(b.readFrom(101), null, 'nothing held yet');
  b.append(Buffer.from('abcdef'));
  assert.equal(b.endOffset, 106);
  assert.equal(b.readFrom(101)?.toString(), 'abcdef');
  assert.equal(b.readFrom(104)?.toString(), 'def');
  assert.equal(b.readFrom(107)?.toString(), '', 'a replica that has everything gets nothing more');
  assert.equal(b.readFrom(108), null, 'an offset from the future');
  assert.equal(b.readFrom(100), null, 'an offset before the backlog began');
  // Wrapping: the oldest bytes go.
  b.append(Buffer.from('ghijkl'));
  assert.equal(b.histlen, 10);
  assert.equal(b.firstOffset, 103);
  assert.equal(b.readFrom(103)?.toString(), 'cdefghijkl');
  assert.equal(b.readFrom(102), null);
  // A chunk larger than the backlog keeps its tail.
  b.append(Buffer.from('0123456789ABCDEF'));
  assert.equal(b.readFrom(b.firstOffset)?.toString(), '6789ABCDEF');
  assert.equal(b.endOffset, 128);
});

test('every sequence of appends and reads agrees with the plain stream', () => {
  let stream = '';
  const b = new ReplicationBacklog(37, 0);
  for (let i = 0; i < 500; i++) {
    const chunk = `<${i}>`.repeat(1 + (i % 7));
    stream += chunk;
    b.append(Buffer.from(chunk));
    const from = b.firstOffset + (i % (b.histlen + 1));
    assert.equal(b.readFrom(from)?.toString(), stream.slice(from - 1));
    if (i % 50 === 49) {
      b.resize(20 + (i % 40));
      assert.equal(b.readFrom(b.firstOffset)?.toString(), stream.slice(b.firstOffset - 1));
    }
  }
});
