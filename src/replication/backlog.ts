// The replication backlog: the last `repl-backlog-size` bytes of the
// replication stream, so that a replica whose link broke can resume from its
// offset (PSYNC ... +CONTINUE) instead of taking a full sync.
//
// Offsets are those of the replication stream: the first byte ever fed is
// offset 1, and `endOffset` is master_repl_offset. The backlog holds the
// bytes [firstOffset, endOffset], `histlen` of them, in a circular buffer.

import assert from 'node:assert/strict';

export class ReplicationBacklog {
  private buf: Buffer;
  /** Where the next byte goes in `buf`. */
  private writeAt = 0;
  /** Bytes held (repl_backlog_histlen). */
  histlen = 0;
  /** Offset of the last byte held (master_repl_offset when created by the master). */
  endOffset: number;

  /** An empty backlog whose next byte will have offset `endOffset + 1`. */
  constructor(sizeBytes: number, endOffset: number) {
    this.buf = Buffer.allocUnsafe(Math.max(1, sizeBytes));
    this.endOffset = endOffset;
  }

  get sizeBytes(): number {
    return this.buf.length;
  }

  /** repl_backlog_first_byte_offset: the offset of the oldest byte held (endOffset + 1 when empty). */
  get firstOffset(): number {
    return this.endOffset - this.histlen + 1;
  }

  /** Appends stream bytes; the oldest are overwritten once the backlog is full. */
  append(chunk: Buffer): void {
    const size = this.buf.length;
    this.endOffset += chunk.length;
    // Only the last `size` bytes of a huge chunk can stay.
    const data = chunk.length > size ? chunk.subarray(chunk.length - size) : chunk;
    const first = Math.min(data.length, size - this.writeAt);
    data.copy(this.buf, this.writeAt, 0, first);
    data.copy(this.buf, 0, first);
    this.writeAt = (this.writeAt + data.length) % size;
    this.histlen = Math.min(size, this.histlen + data.length);
  }

  /**
   * The stream from offset `from` (the first byte a replica lacks: its
   * offset + 1) to the end, or null when those bytes are no longer (or not
   * yet) held, as Redis's primaryTryPartialResynchronization checks.
   */
  readFrom(from: number): Buffer | null {
    if (this.histlen === 0 || from < this.firstOffset || from > this.endOffset + 1) return null;
    const count = this.endOffset + 1 - from;
    const size = this.buf.length;
    const start = (this.writeAt - count + size) % size;
    const out = Buffer.allocUnsafe(count);
    const first = Math.min(count, size - start);
    this.buf.copy(out, 0, start, start + first);
    this.buf.copy(out, first, 0, count - first);
    assert.equal(out.length, count);
    return out;
  }

  /** The offsets move by `delta` (a master restarted from its dump: the file's offset comes before these bytes). */
  rebase(delta: number): void {
    this.endOffset += delta;
  }

  /** repl-backlog-size changed: keeps the newest bytes that fit. */
  resize(sizeBytes: number): void {
    const keep = this.readFrom(this.endOffset - Math.min(this.histlen, sizeBytes) + 1) ?? Buffer.alloc(0);
    this.buf = Buffer.allocUnsafe(Math.max(1, sizeBytes));
    this.writeAt = 0;
    this.histlen = 0;
    this.endOffset -= keep.length;
    this.append(keep);
  }
}
