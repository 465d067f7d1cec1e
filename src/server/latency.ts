// Latency bookkeeping: the per-command latency histograms behind INFO
// latencystats and LATENCY HISTOGRAM (latency-tracking), and the latency
// monitor behind LATENCY LATEST/HISTORY/RESET (latency-monitor-threshold).
//
// The histograms reproduce the HDR histogram Redis uses (1 ns .. 1 s, two
// significant digits), so that percentiles and CDF buckets read exactly like
// Redis's for the same recorded durations.

import type { Config } from '../config/config.js';
import type { Command } from '../commands/registry.js';

// ---- HDR histogram -----------------------------------------------------------

/** Recorded values are nanoseconds, clamped into [1, 1e9] as Redis's LATENCY_HISTOGRAM_MIN/MAX_VALUE. */
const valueMin = 1;
const valueMax = 1_000_000_000;
/** Two significant digits → 256 sub-buckets per bucket, half of them per bucket after the first. */
const subBucketHalfCountMagnitude = 7;
const subBucketHalfCount = 1 << subBucketHalfCountMagnitude;
const subBucketMask = 2 * subBucketHalfCount - 1;
/** Buckets needed to cover valueMax: 256 << 22 > 1e9. */
const bucketCount = 23;
const countsLen = (bucketCount + 1) * subBucketHalfCount;

function bitLength(v: number): number {
  return 32 - Math.clz32(v);
}

function bucketIndexOf(value: number): number {
  return bitLength(value | subBucketMask) - (subBucketHalfCountMagnitude + 1);
}

function countsIndexOf(value: number): number {
  const bucket = bucketIndexOf(value);
  const sub = value >>> bucket;
  return ((bucket + 1) << subBucketHalfCountMagnitude) + (sub - subBucketHalfCount);
}

function valueAtIndex(index: number): number {
  let bucket = (index >> subBucketHalfCountMagnitude) - 1;
  let sub = (index & (subBucketHalfCount - 1)) + subBucketHalfCount;
  if (bucket < 0) {
    sub -= subBucketHalfCount;
    bucket = 0;
  }
  return sub * 2 ** bucket;
}

function equivalentRangeSize(value: number): number {
  const bucket = bucketIndexOf(value);
  const sub = Math.floor(value / 2 ** bucket);
  return 2 ** (sub > subBucketMask ? bucket + 1 : bucket);
}

function lowestEquivalent(value: number): number {
  const bucket = bucketIndexOf(value);
  return Math.floor(value / 2 ** bucket) * 2 ** bucket;
}

function highestEquivalent(value: number): number {
  return lowestEquivalent(value) + equivalentRangeSize(value) - 1;
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(countsLen);
  totalCount = 0;

  /** Records one duration in nanoseconds. */
  record(ns: number): void {
    const v = ns < valueMin ? valueMin : ns > valueMax ? valueMax : ns;
    this.counts[countsIndexOf(v)]++;
    this.totalCount++;
  }

  /** The value at a percentile (hdr_value_at_percentile), in nanoseconds. */
  valueAtPercentile(percentile: number): number {
    const requested = percentile < 100 ? percentile : 100;
    const target = Math.min(this.totalCount, Math.floor((requested / 100) * this.totalCount + 0.5));
    let value = 0;
    let total = 0;
    for (let i = 0; total < target && i < countsLen; i++) {
      total += this.counts[i];
      value = valueAtIndex(i);
    }
    return percentile === 0 ? lowestEquivalent(value) : highestEquivalent(value);
  }

  /**
   * The cumulative distribution LATENCY HISTOGRAM reports: [usec, count] at
   * power-of-two reporting levels from 1024 ns, as an hdr log iterator with
   * base 2 walks them, skipping levels that add no calls.
   */
  cumulativeBuckets(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    let index = -1;
    let value = 0;
    let cumulative = 0;
    let highest = 0;
    let level = 1024;
    let levelLowest = lowestEquivalent(level);
    let previous = 0;
    const emit = () => {
      if (cumulative > previous) out.push([Math.floor(highest / 1000), cumulative]);
      previous = cumulative;
    };
    while (cumulative < this.totalCount || (index < countsLen && valueAtIndex(index + 1) > levelLowest)) {
      for (;;) {
        if (value >= levelLowest) {
          level *= 2;
          levelLowest = lowestEquivalent(level);
          break;
        }
        if (index + 1 >= countsLen) {
          // Ran off the end of the counts: the iterator reports where it stands.
          emit();
          return out;
        }
        index++;
        cumulative += this.counts[index];
        value = valueAtIndex(index);
        highest = highestEquivalent(value);
      }
      emit();
    }
    return out;
  }
}

// ---- latency monitor -------------------------------------------------------------

/** Samples kept per event (Redis's LATENCY_TS_LEN). */
const samplesPerEvent = 160;

interface LatencySample {
  /** Unix time in seconds. */
  time: number;
  /** Milliseconds. */
  latency: number;
}

interface LatencyEvent {
  /** Ring of samples, oldest first from `next`. */
  samples: LatencySample[];
  next: number;
  max: number;
}

export class LatencyMonitor {
  /** event name → its series, in creation order. */
  readonly events = new Map<string, LatencyEvent>();
  /** Command → histogram of its durations; only commands that ran since the last reset. */
  readonly histograms = new Map<Command, LatencyHistogram>();
  private thresholdMs: number;
  private tracking: boolean;

  constructor(config: Config) {
    this.thresholdMs = config.getInt('latency-monitor-threshold');
    this.tracking = config.getBool('latency-tracking');
    config.onChange('latency-monitor-threshold', () => {
      this.thresholdMs = config.getInt('latency-monitor-threshold');
    });
    config.onChange('latency-tracking', () => {
      this.tracking = config.getBool('latency-tracking');
    });
  }

  /** After each command: its histogram, and a "command"/"fast-command" event when slow enough. */
  commandExecuted(cmd: Command, usec: number): void {
    this.recordCommandDuration(cmd, usec);
    this.addSampleIfNeeded(cmd.has('fast') ? 'fast-command' : 'command', Math.floor(usec / 1000));
  }

  /** Adds a call of `cmd` to its histogram (also when a blocked command's wait ends). */
  recordCommandDuration(cmd: Command, usec: number): void {
    if (!this.tracking) return;
    let h = this.histograms.get(cmd);
    if (h === undefined) {
      h = new LatencyHistogram();
      this.histograms.set(cmd, h);
    }
    h.record(usec * 1000);
  }

  /** Records `ms` for `event` when the monitor is on and it reaches the threshold (latencyAddSampleIfNeeded). */
  addSampleIfNeeded(event: string, ms: number): void {
    if (this.thresholdMs > 0 && ms >= this.thresholdMs) this.addSample(event, ms);
  }

  private addSample(event: string, ms: number): void {
    const now = Math.floor(Date.now() / 1000);
    let e = this.events.get(event);
    if (e === undefined) {
      e = { samples: [], next: 0, max: 0 };
      this.events.set(event, e);
    }
    if (ms > e.max) e.max = ms;
    const prev = e.samples[(e.next + samplesPerEvent - 1) % samplesPerEvent];
    // One sample per second: a later one in the same second only raises it.
    if (prev !== undefined && prev.time === now) {
      if (ms > prev.latency) prev.latency = ms;
      return;
    }
    e.samples[e.next] = { time: now, latency: ms };
    e.next = (e.next + 1) % samplesPerEvent;
  }

  /** The most recent sample of an event. */
  latest(e: LatencyEvent): LatencySample {
    return e.samples[(e.next + samplesPerEvent - 1) % samplesPerEvent];
  }

  /** Samples of an event, oldest first. */
  history(event: string): LatencySample[] {
    const e = this.events.get(event);
    if (e === undefined) return [];
    const out: LatencySample[] = [];
    for (let j = 0; j < samplesPerEvent; j++) {
      const s = e.samples[(e.next + j) % samplesPerEvent];
      if (s !== undefined) out.push(s);
    }
    return out;
  }

  /** Forgets one event, or all of them (null); returns how many were removed. */
  reset(event: string | null): number {
    if (event === null) {
      const n = this.events.size;
      this.events.clear();
      return n;
    }
    return this.events.delete(event) ? 1 : 0;
  }
}
