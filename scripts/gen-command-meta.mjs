// Captures COMMAND INFO key specs/tips and COMMAND DOCS from a real Redis 7.0
// (BSD-3 licensed data) into src/commands/redis-meta.json, in a JSON form that
// keeps RESP3 types: {"m":[k,v,...]} map, {"s":[...]} set, {"+":"x"} status,
// numbers for integers, strings for bulks, arrays for arrays.
// Usage: node scripts/gen-command-meta.mjs <port>
import net from 'node:net';
import fs from 'node:fs';

const port = Number(process.argv[2] ?? 6379);
const sock = net.connect(port, '127.0.0.1');
let buf = Buffer.alloc(0);
const waiters = [];
sock.on('data', (d) => { buf = Buffer.concat([buf, d]); pump(); });
function pump() {
  while (waiters.length) {
    const r = parse(0);
    if (!r) return;
    buf = buf.subarray(r.end);
    waiters.shift()(r.value);
  }
}
function line(at) { const i = buf.indexOf('\r\n', at); return i < 0 ? null : { s: buf.latin1Slice(at + 1, i), next: i + 2 }; }
function parse(at) {
  if (at >= buf.length) return null;
  const t = String.fromCharCode(buf[at]);
  const l = line(at); if (!l) return null;
  if (t === '+') return { value: { '+': l.s }, end: l.next };
  if (t === '-') return { value: { '-': l.s }, end: l.next };
  if (t === ':') return { value: Number(l.s), end: l.next };
  if (t === '_') return { value: null, end: l.next };
  if (t === '$' || t === '=') {
    const n = Number(l.s); if (n < 0) return { value: null, end: l.next };
    if (buf.length < l.next + n + 2) return null;
    return { value: buf.latin1Slice(l.next, l.next + n), end: l.next + n + 2 };
  }
  if (t === '*' || t === '~' || t === '%') {
    const n = Number(l.s) * (t === '%' ? 2 : 1); const items = []; let p = l.next;
    for (let i = 0; i < n; i++) { const r = parse(p); if (!r) return null; items.push(r.value); p = r.end; }
    return { value: t === '*' ? items : t === '~' ? { s: items } : { m: items }, end: p };
  }
  throw new Error('unexpected type ' + t);
}
function cmd(...args) {
  return new Promise((resolve) => {
    waiters.push(resolve);
    sock.write('*' + args.length + '\r\n' + args.map((a) => '$' + Buffer.byteLength(a) + '\r\n' + a + '\r\n').join(''));
  });
}
await cmd('HELLO', '3');
const info = await cmd('COMMAND', 'INFO');
const docs = await cmd('COMMAND', 'DOCS');
const docsByName = new Map();
for (let i = 0; i < docs.m.length; i += 2) docsByName.set(docs.m[i], docs.m[i + 1]);
const meta = {};
function add(entry) {
  const [name, arity, flags, first, last, step, cats, tips, keySpecs, subs] = entry;
  meta[name] = { arity, flags: flags.s.map((f) => f['+']), first, last, step, categories: cats.s.map((c) => c['+']), tips, keySpecs };
  for (const sub of (subs?.s ?? subs ?? [])) add(sub);
}
for (const e of info) if (e) add(e);
function addDocs(name, d) {
  const fields = d.m; const out = [];
  for (let i = 0; i < fields.length; i += 2) {
    if (fields[i] === 'subcommands') {
      const subs = fields[i + 1].m;
      for (let j = 0; j < subs.length; j += 2) addDocs(subs[j], subs[j + 1]);
    } else out.push(fields[i], fields[i + 1]);
  }
  if (meta[name]) meta[name].docs = { m: out };
}
for (const [name, d] of docsByName) addDocs(name, d);
const sorted = Object.fromEntries(Object.keys(meta).sort().map((k) => [k, meta[k]]));
fs.writeFileSync(new URL('../src/commands/redis-meta.json', import.meta.url), JSON.stringify(sorted, null, 0).replace(/\},"/g, '},\n"') + '\n');
console.log('commands:', Object.keys(meta).length);
sock.end();
