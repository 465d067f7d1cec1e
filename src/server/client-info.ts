// A client described in one line: CLIENT LIST / CLIENT INFO and log lines
// about a client, with Redis 7.0's fields in Redis's order.

import type { Client } from './client.js';

/** Approximate size of Redis's client struct, part of tot-mem. */
const clientStructBytes = 800;
/** Redis's reply buffer sizes: 16k at most, shrunk to 1k for quiet clients. */
const replyBufferMax = 16 * 1024;
const replyBufferMin = 1024;

function flagLetters(c: Client): string {
  let flags = '';
  if (c.server.monitors.has(c)) flags += 'O';
  else if (c.replica !== null) flags += 'S';
  if (c.type === 'master') flags += 'M';
  if (c.isPubSub) flags += 'P';
  if (c.tx.queue !== null) flags += 'x';
  if (c.heldByPause || c.blocked !== null) flags += 'b';
  if (c.tx.dirty) flags += 'd';
  if (c.closeAfterReply) flags += 'c';
  if (c.unixSocket) flags += 'U';
  if (c.noEvict) flags += 'e';
  return flags === '' ? 'N' : flags;
}

/**
 * One CLIENT LIST line (Redis 7.0's fields and order). Memory fields are
 * estimates from our own buffers. `caller` is the client running the command:
 * like the held ones, its arguments still take memory. Log lines use it too,
 * as Redis's catClientInfoString.
 */
export function clientInfoString(c: Client, caller?: Client): string {
  const now = Math.floor(Date.now() / 1000);
  let argvBytes = 0;
  if (c === caller || c.heldByPause || c.blocked !== null) for (const a of c.argv) argvBytes += a.length;
  const qbuf = c.queryBufferBytes;
  const qbufFree = c.queryBufferFreeBytes;
  const rbp = Math.min(c.replyPeakBytes, replyBufferMax);
  const rbs = rbp > replyBufferMin ? replyBufferMax : replyBufferMin;
  const omem = c.socket?.writableLength ?? 0;
  const oll = Math.ceil(omem / replyBufferMax);
  const multiMem = c.tx.queuedBytes;
  const totMem = clientStructBytes + qbuf + qbufFree + rbs + argvBytes + multiMem + omem;
  const events = c.socket === null ? '' : omem > 0 ? 'rw' : 'r';
  return (
    `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${c.fd} name=${c.name}` +
    ` age=${now - Math.floor(c.createdAt / 1000)} idle=${now - Math.floor(c.lastInteraction / 1000)}` +
    ` flags=${flagLetters(c)} db=${c.dbIndex}` +
    ` sub=${c.subscriptions.channels.size} psub=${c.subscriptions.patterns.size} ssub=${c.subscriptions.shardChannels.size} multi=${c.tx.queue?.length ?? -1}` +
    ` qbuf=${qbuf} qbuf-free=${qbufFree} argv-mem=${argvBytes} multi-mem=${multiMem} rbs=${rbs} rbp=${rbp}` +
    ` obl=${c.pendingReplyBytes} oll=${oll} omem=${omem} tot-mem=${totMem} events=${events}` +
    ` cmd=${c.lastCmd?.fullName ?? 'NULL'} user=${c.user} redir=-1 resp=${c.resp}`
  );
}
