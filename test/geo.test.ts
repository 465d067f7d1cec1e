// Geo commands against real Redis: stored scores (the 52-bit geohashes),
// distances, coordinates, search results in Redis's order, errors.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cmd, differentialSuite, type Command, type DiffCase } from './helpers/differential.js';
import { inProcessServer } from './helpers/in-process.js';

/** [longitude, latitude, name] of real places, spread over every hemisphere and near the edges. */
const places: Array<[string, string, string]> = [
  ['13.361389', '38.115556', 'Palermo'],
  ['15.087269', '37.502669', 'Catania'],
  ['12.496366', '41.902782', 'Rome'],
  ['2.352222', '48.856613', 'Paris'],
  ['-0.127758', '51.507351', 'London'],
  ['-3.703790', '40.416775', 'Madrid'],
  ['13.404954', '52.520008', 'Berlin'],
  ['37.617300', '55.755826', 'Moscow'],
  ['-74.005941', '40.712784', 'New York'],
  ['-118.243685', '34.052234', 'Los Angeles'],
  ['-122.419416', '37.774929', 'San Francisco'],
  ['-99.133208', '19.432608', 'Mexico City'],
  ['-46.633309', '-23.550520', 'Sao Paulo'],
  ['-58.381559', '-34.603684', 'Buenos Aires'],
  ['-70.669265', '-33.448890', 'Santiago'],
  ['18.424055', '-33.924869', 'Cape Town'],
  ['36.821946', '-1.292066', 'Nairobi'],
  ['31.235712', '30.044420', 'Cairo'],
  ['77.209021', '28.613939', 'Delhi'],
  ['103.819836', '1.352083', 'Singapore'],
  ['139.691706', '35.689487', 'Tokyo'],
  ['151.209296', '-33.868820', 'Sydney'],
  ['174.763332', '-36.848460', 'Auckland'],
  ['-149.900278', '61.218056', 'Anchorage'],
  ['-21.942400', '64.146582', 'Reykjavik'],
  ['15.634722', '78.223172', 'Longyearbyen'],
  ['-62.338', '82.5018', 'Alert'],
  ['166.668235', '-77.846323', 'McMurdo'],
  ['179.999', '-16.5', 'Fiji east'],
  ['-179.999', '-16.5', 'Fiji west'],
  ['-171.760666', '-13.833333', 'Apia'],
  ['0', '0', 'Null Island'],
  ['0.0001', '0.0001', 'near Null Island'],
  ['180', '85.05112878', 'north-east corner'],
  ['-180', '-85.05112878', 'south-west corner'],
];

const loadPlaces: Command = ['GEOADD', 'world', ...places.flat()];

/** Deterministic pseudo-random numbers in [0, 1). */
function random(seed: number): () => number {
  return () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 2 ** 24;
}

/** Searches of every kind around real places and random centres, with every option. */
function searchCorpus(seed: number, n: number): Command[] {
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const units = ['m', 'km', 'ft', 'mi', 'KM'];
  const radii = ['0', '1', '500', '50000', '400', '2500', '8000', '20000'];
  const out: Command[] = [];
  for (let i = 0; i < n; i++) {
    const unit = pick(units);
    const r = pick(radii);
    const lon = (rnd() * 360 - 180).toFixed(4);
    const lat = (rnd() * 170 - 85).toFixed(4);
    const member = pick(places)[2];
    const withs = ['WITHDIST', 'WITHCOORD', 'WITHHASH'].filter(() => rnd() < 0.4);
    const order = pick([[], ['ASC'], ['DESC']]);
    const count = pick([[], [], ['COUNT', String(1 + Math.floor(rnd() * 8))], ['COUNT', '3', 'ANY']]);
    const from = rnd() < 0.5 ? ['FROMMEMBER', member] : ['FROMLONLAT', lon, lat];
    const by = rnd() < 0.5 ? ['BYRADIUS', r, unit] : ['BYBOX', r, pick(radii), unit];
    switch (i % 5) {
      case 0:
        out.push(['GEORADIUS', 'world', lon, lat, r, unit, ...withs, ...order, ...count]);
        break;
      case 1:
        out.push(['GEORADIUSBYMEMBER_RO', 'world', member, r, unit, ...withs, ...order, ...count]);
        break;
      case 2:
      case 3:
        out.push(['GEOSEARCH', 'world', ...from, ...by, ...withs, ...order, ...count]);
        break;
      default:
        out.push(['GEOSEARCHSTORE', 'dst', 'world', ...from, ...by, ...order, ...count, ...(rnd() < 0.5 ? ['STOREDIST'] : [])]);
        out.push(cmd('ZRANGE dst 0 -1 WITHSCORES'));
    }
  }
  return out;
}

/** Members that share positions, so that distances tie and the sort order of ties shows. */
function tiedPoints(): Command {
  const spots = [
    ['1', '0'],
    ['-1', '0'],
    ['0', '1'],
    ['0', '-1'],
    ['0.5', '0.5'],
  ];
  const args: string[] = [];
  for (let i = 0; i < 60; i++) args.push(...spots[(i * 7) % spots.length], `p${i}`);
  return ['GEOADD', 'ties', ...args];
}

const cases: DiffCase[] = [
  {
    name: 'GEOADD stores Redis geohash scores; GEOPOS, GEOHASH, GEODIST',
    commands: [
      loadPlaces,
      cmd('ZRANGE world 0 -1 WITHSCORES'),
      ['GEOPOS', 'world', ...places.map((p) => p[2]), 'nowhere'],
      ['GEOHASH', 'world', ...places.map((p) => p[2]), 'nowhere'],
      cmd('GEODIST world Palermo Catania'),
      cmd('GEODIST world Palermo Catania km'),
      ['GEODIST', 'world', 'New York', 'London', 'mi'],
      ['GEODIST', 'world', 'Fiji east', 'Fiji west', 'ft'],
      ['GEODIST', 'world', 'north-east corner', 'south-west corner', 'KM'],
      ['GEODIST', 'world', 'Null Island', 'near Null Island', 'm'],
      ['GEODIST', 'world', 'Alert', 'McMurdo', 'Mi'],
      cmd('GEODIST world Paris Paris'),
      cmd('GEODIST world Paris nowhere'),
      cmd('GEODIST nokey a b'),
      cmd('GEOPOS nokey a b'),
      cmd('GEOHASH nokey a b'),
      cmd('GEOPOS world'),
      cmd('GEOHASH world'),
    ],
  },
  {
    name: 'GEOADD options, replies and validation',
    commands: [
      cmd('GEOADD g 1 1 a 2 2 b'),
      cmd('GEOADD g NX 1.5 1.5 a 3 3 c'),
      cmd('GEOADD g XX 1.5 1.5 a 4 4 d'),
      cmd('GEOADD g XX CH 1.6 1.6 a 4 4 d'),
      cmd('GEOADD g ch nx 1 1 a 5 5 e'),
      cmd('GEOADD g CH 1 1 a'),
      cmd('ZRANGE g 0 -1 WITHSCORES'),
      cmd('GEOADD g NX XX 1 1 a'),
      cmd('GEOADD g GT 1 1 a'),
      cmd('GEOADD g CH CH CH'),
      cmd('GEOADD g 1 1'),
      cmd('GEOADD g 1 1 a 2'),
      cmd('GEOADD g 1 x a'),
      cmd('GEOADD g nan 1 a'),
      cmd('GEOADD g 200 100 a'),
      cmd('GEOADD g -180.000001 0 a'),
      cmd('GEOADD g 0 85.06 a'),
      cmd('GEOADD g 200.0078125 0.0078125 a'),
      cmd('GEOADD g inf 0 a'),
      cmd('GEOADD g -0 -inf a'),
      cmd('GEOADD g 1e300 0 a'),
      cmd('GEOADD g 1 1 ok 300 1 bad'),
      cmd('GEOADD fresh 300 1 bad'),
      cmd('EXISTS fresh'),
      cmd('GEOADD g 180 85.05112878 top 180 -85.05112878 bottom 0x10 1e1 hex 180 10 edge 180 -3.3 edge2'),
      cmd('ZRANGE g 0 -1 WITHSCORES'),
      cmd('GEOHASH g top bottom hex edge edge2'),
      cmd('GEOPOS g top bottom hex edge edge2'),
      cmd('SET s x'),
      cmd('GEOADD s 1 1 a'),
      cmd('GEOADD s 1 x a'),
    ],
  },
  {
    name: 'scores that are not geohashes still decode, as in Redis',
    commands: [
      [
        'ZADD', 'w', '0', 'zero', '-1', 'neg', '1.5', 'frac', '9007199254740992', 'big', '18014398509481984', 'bigger',
        '1e300', 'huge', 'inf', 'pinf', '-inf', 'ninf', '-1e300', 'nhuge', '4503599627370495', 'max52',
      ],
      cmd('GEOPOS w zero neg frac big bigger huge pinf ninf nhuge max52'),
      cmd('GEOHASH w zero neg frac big bigger huge pinf ninf nhuge max52'),
      cmd('GEODIST w zero neg'),
      cmd('GEODIST w huge ninf mi'),
      cmd('GEOSEARCH w FROMMEMBER zero BYRADIUS 30000 km WITHHASH WITHCOORD WITHDIST ASC'),
      cmd('GEORADIUS w 0 0 100000 km WITHHASH'),
    ],
  },
  { name: 'searches of every kind (1)', commands: [loadPlaces, ...searchCorpus(1, 150)] },
  { name: 'searches of every kind (2)', commands: [loadPlaces, ...searchCorpus(2, 150)] },
  {
    name: 'equal distances keep Redis order (full sort stable, partial sort as pqsort)',
    commands: [
      tiedPoints(),
      cmd('GEOSEARCH ties FROMLONLAT 0 0 BYRADIUS 500 km ASC'),
      cmd('GEOSEARCH ties FROMLONLAT 0 0 BYRADIUS 500 km DESC WITHDIST'),
      ...[1, 2, 5, 7, 13, 30, 41, 59].flatMap((n) => [
        cmd(`GEOSEARCH ties FROMLONLAT 0 0 BYRADIUS 500 km COUNT ${n} ASC`),
        cmd(`GEORADIUS ties 0 0 500 km COUNT ${n} DESC`),
        cmd(`GEOSEARCH ties FROMLONLAT 0 0 BYBOX 400 400 km COUNT ${n} ANY`),
      ]),
    ],
  },
  {
    name: 'STORE, STOREDIST and GEOSEARCHSTORE',
    commands: [
      loadPlaces,
      cmd('GEORADIUS world 15 37 300 km STORE d'),
      cmd('ZRANGE d 0 -1 WITHSCORES'),
      cmd('OBJECT ENCODING d'),
      cmd('GEORADIUS world 15 37 300 km STOREDIST d ASC'),
      cmd('ZRANGE d 0 -1 WITHSCORES'),
      cmd('GEORADIUS world 15 37 300 km STORE d STOREDIST e'),
      cmd('EXISTS d e'),
      cmd('GEORADIUSBYMEMBER world Rome 1 km STORE e'),
      cmd('EXISTS e'),
      cmd('GEOSEARCHSTORE e world FROMMEMBER Rome BYBOX 2000 2000 km DESC STOREDIST COUNT 2'),
      cmd('ZRANGE e 0 -1 WITHSCORES'),
      cmd('GEOSEARCHSTORE e world FROMMEMBER Rome BYBOX 2000 2000 mi'),
      cmd('ZRANGE e 0 -1 WITHSCORES'),
      cmd('GEOSEARCHSTORE e nokey FROMMEMBER Rome BYBOX 2000 2000 mi'),
      cmd('EXISTS e'),
      cmd('GEORADIUSBYMEMBER nokey Rome 1 km STORE world'),
      cmd('EXISTS world'),
      loadPlaces,
      cmd('GEOSEARCHSTORE world world FROMMEMBER Rome BYRADIUS 0 m STOREDIST'),
      cmd('ZRANGE world 0 -1 WITHSCORES'),
      cmd('CONFIG SET zset-max-listpack-entries 2'),
      cmd('GEOADD h 1 1 a 1 1 b 1 1 c'),
      cmd('GEOSEARCHSTORE x h FROMLONLAT 1 1 BYRADIUS 1 m'),
      cmd('OBJECT ENCODING x'),
      cmd('GEOSEARCHSTORE x h FROMLONLAT 1 1 BYRADIUS 1 m COUNT 2'),
      cmd('OBJECT ENCODING x'),
      cmd('CONFIG SET zset-max-listpack-entries 128'),
    ],
  },
  {
    name: 'search errors, in Redis order',
    commands: [
      cmd('SET s x'),
      cmd('GEOSEARCH s FROMLONLAT x 1 BYRADIUS 1 m'),
      cmd('GEORADIUS s x 1 1 m'),
      cmd('GEORADIUSBYMEMBER s x 1 m'),
      cmd('GEOSEARCHSTORE d s FROMLONLAT 1 1 BYRADIUS 1 m'),
      cmd('GEOSEARCHSTORE s nokey FROMLONLAT 1 1 BYRADIUS 1 m'),
      cmd('EXISTS s'),
      cmd('GEOADD g 1 1 a 2 2 b'),
      cmd('GEORADIUS g 1 1 1 parsec'),
      cmd('GEORADIUS g 1 1 -1 km'),
      cmd('GEORADIUS g 1 1 x km'),
      cmd('GEORADIUS g x 1 1 km'),
      cmd('GEORADIUS g 1 91 1 km'),
      cmd('GEORADIUS g 1 1 1 km COUNT'),
      cmd('GEORADIUS g 1 1 1 km COUNT x'),
      cmd('GEORADIUS g 1 1 1 km COUNT 0'),
      cmd('GEORADIUS g 1 1 1 km COUNT -1'),
      cmd('GEORADIUS g 1 1 1 km COUNT 99999999999999999999'),
      cmd('GEORADIUS g 1 1 1 km ANY'),
      cmd('GEORADIUS g 1 1 1 km STORE'),
      cmd('GEORADIUS g 1 1 1 km foo'),
      cmd('GEORADIUS g 1 1 1 km FROMMEMBER a'),
      cmd('GEORADIUS g 1 1 1 km STORE x WITHCOORD'),
      cmd('GEORADIUS g 1 1 1 km STOREDIST x WITHHASH'),
      cmd('GEORADIUS_RO g 1 1 1 km STORE x'),
      cmd('GEORADIUS_RO g 1 1 1 km STOREDIST x'),
      cmd('GEORADIUSBYMEMBER g zz 1 km'),
      cmd('GEORADIUSBYMEMBER g a x km'),
      cmd('GEORADIUSBYMEMBER g a 1 x'),
      cmd('GEORADIUSBYMEMBER nokey a x km'),
      cmd('GEORADIUSBYMEMBER nokey a x km bad'),
      cmd('GEORADIUSBYMEMBER nokey a x km WITHDIST STORE g'),
      cmd('GEORADIUSBYMEMBER nokey a x km STORE g'),
      cmd('EXISTS g'),
      cmd('GEOADD g 1 1 a 2 2 b'),
      cmd('GEOSEARCH g FROMMEMBER a FROMLONLAT 1 1 BYRADIUS 1 km'),
      cmd('GEOSEARCH g FROMLONLAT 1 1 FROMMEMBER a BYRADIUS 1 km'),
      cmd('GEOSEARCH g FROMMEMBER zz BYRADIUS 1 km'),
      cmd('GEOSEARCH g FROMMEMBER a BYRADIUS 1 km BYBOX 1 1 km'),
      cmd('GEOSEARCH g FROMMEMBER a BYBOX 1 1 km BYRADIUS 1 km'),
      cmd('GEOSEARCH g FROMMEMBER a BYBOX -1 x km'),
      cmd('GEOSEARCH g FROMMEMBER a BYBOX x -1 km'),
      cmd('GEOSEARCH g FROMMEMBER a BYBOX 1 -1 km'),
      cmd('GEOSEARCH g FROMMEMBER a BYBOX 1 1 lightyear'),
      cmd('geosearch g WITHDIST BYRADIUS 1 km ASC'),
      cmd('GeoSearch g FROMMEMBER a WITHDIST ASC ANY'),
      cmd('GEOSEARCH g FROMMEMBER a WITHDIST ASC COUNT 1'),
      cmd('GEOSEARCH g FROMMEMBER a BYRADIUS 1 km ANY'),
      cmd('GEOSEARCH g FROMMEMBER a BYRADIUS 1 km STORE x'),
      cmd('GEOSEARCH g FROMMEMBER a BYRADIUS 1 km STOREDIST'),
      cmd('GEOSEARCHSTORE d g FROMMEMBER a BYRADIUS 1 km STORE x'),
      cmd('GEOSEARCHSTORE d g FROMMEMBER a BYRADIUS 1 km WITHDIST'),
      cmd('geosearchstore d g BYRADIUS 1 km STOREDIST x'),
      cmd('GEOSEARCH nokey FROMMEMBER a BYRADIUS 1 km'),
      cmd('GEOSEARCH nokey FROMMEMBER a BYRADIUS x km'),
      cmd('GEOSEARCH g FROMMEMBER a BYRADIUS 1 km FROMMEMBER'),
      cmd('GEOSEARCH g FROMLONLAT 1 BYRADIUS 1 km'),
      cmd('GEOSEARCH g FROMMEMBER a BYRADIUS 1 km frommember b asc WITHDIST'),
      cmd('GEODIST g a b m x'),
      cmd('GEODIST g a b foo'),
      cmd('GEODIST s a b'),
      cmd('GEODIST s a b foo'),
      cmd('GEOHASH s a'),
      cmd('GEOPOS s a'),
    ],
  },
  {
    name: 'RESP3 replies',
    resp3: true,
    commands: [
      loadPlaces,
      cmd('GEOPOS world Palermo nowhere'),
      cmd('GEOHASH world nowhere Palermo'),
      cmd('GEODIST world Palermo nowhere'),
      cmd('GEODIST nokey a b'),
      cmd('GEODIST world Palermo Catania'),
      cmd('GEOSEARCH world FROMLONLAT 15 37 BYRADIUS 300 km WITHCOORD WITHDIST WITHHASH ASC'),
      cmd('GEOSEARCH nokey FROMLONLAT 15 37 BYRADIUS 300 km'),
    ],
  },
];

differentialSuite(cases);

// ---- propagation, dirty, notifications, key positions, in process -----------------

describe('propagation, dirty and keyspace events', () => {
  const inProcess = inProcessServer();
  const server = inProcess.server;
  const events: string[] = [];
  server.notifyKeyspaceEvent = (_type, event, key) => void events.push(`${event} ${key}`);

  /** What a command changed: dirty, the forms propagated, the keyspace events. */
  function run(...argv: string[]): { dirty: number; propagated: string[][]; events: string[] } {
    events.length = 0;
    const before = server.dirty;
    const propagated = inProcess.run(...argv);
    return { dirty: server.dirty - before, propagated, events: events.slice() };
  }

  test('GEOADD runs and propagates as a ZADD with the geohash scores', () => {
    assert.deepEqual(run('GEOADD', 'g', 'CH', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'), {
      dirty: 2,
      propagated: [['zadd', 'g', 'CH', '3479099956230698', 'Palermo', '3479447370796909', 'Catania']],
      events: ['new g', 'zadd g'],
    });
    assert.deepEqual(run('GEOADD', 'g', 'NX', '13.361389', '38.115556', 'Palermo'), { dirty: 0, propagated: [], events: [] });
    // At longitude 180 the hash takes 54 bits: the exact integer goes out, not a rounded double.
    assert.deepEqual(run('GEOADD', 'g', '180', '10', 'edge').propagated, [['zadd', 'g', '10138940401276181', 'edge']]);
  });

  test('searches that store count each stored member, notify, or delete an empty result', () => {
    assert.deepEqual(run('GEOSEARCHSTORE', 'd', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km'), {
      dirty: 2,
      propagated: [['GEOSEARCHSTORE', 'd', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km']],
      events: ['new d', 'geosearchstore d'],
    });
    assert.deepEqual(run('GEORADIUS', 'g', '15', '37', '100', 'km', 'STORE', 'd').events, ['georadiusstore d']);
    assert.deepEqual(run('GEORADIUS', 'g', '0', '0', '1', 'km', 'STORE', 'd'), {
      dirty: 1,
      propagated: [['GEORADIUS', 'g', '0', '0', '1', 'km', 'STORE', 'd']],
      events: ['del d'],
    });
    assert.deepEqual(run('GEORADIUS', 'g', '0', '0', '1', 'km', 'STORE', 'd'), { dirty: 0, propagated: [], events: [] });
    assert.deepEqual(run('GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km'), { dirty: 0, propagated: [], events: [] });
  });

  test('GEORADIUS key positions include the last STORE/STOREDIST key', () => {
    const keys = (...argv: string[]) => server.commands.get(argv[0])!.keyPositions(argv);
    assert.deepEqual(keys('GEORADIUS', 'g', '1', '1', '1', 'km'), [1]);
    assert.deepEqual(keys('GEORADIUS', 'g', '1', '1', '1', 'km', 'STORE', 'a', 'STOREDIST', 'b'), [1, 9]);
    assert.deepEqual(keys('GEORADIUSBYMEMBER', 'g', 'm', '1', 'km', 'store', 'a'), [1, 6]);
    assert.deepEqual(keys('GEORADIUS', 'g', '1', '1', '1', 'km', 'STORE'), [1]);
    assert.deepEqual(keys('GEOSEARCHSTORE', 'd', 'g', 'FROMMEMBER', 'm', 'BYRADIUS', '1', 'km'), [1, 2]);
  });
});
