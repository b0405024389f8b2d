/**
 * What a bench server's own runtime does between two samples: how late the event loop
 * ran (a 10 ms timer records how late each of its turns comes, in a `perf_hooks`
 * histogram) and how long garbage collection paused it (`PerformanceObserver` on `gc`
 * entries). `monitorEventLoopDelay` is not used: its `reset()` drops the first delay
 * after it, which is where a long block between two samples shows. `sample()` reports since the previous sample
 * and starts over, so each `GET /bench/memory` of the soak covers about one second.
 * Only the bench servers carry it, never the gateway.
 */
import { createHistogram, performance, PerformanceObserver } from 'node:perf_hooks';

export interface RuntimeSample {
  /** Event-loop delay percentiles over the interval (ms; 0 when the loop was never late). */
  readonly loopDelayP50Ms: number;
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  /** Garbage-collection pauses over the interval. */
  readonly gcCount: number;
  readonly gcTotalMs: number;
  readonly gcMaxMs: number;
}

export interface RuntimeProbe {
  sample(): RuntimeSample;
  stop(): void;
}

const NS_PER_MS = 1e6;
/** How often the loop's lateness is measured. */
const RESOLUTION_MS = 10;

export function startRuntimeProbe(): RuntimeProbe {
  const delay = createHistogram();
  let expected = performance.now() + RESOLUTION_MS;
  const timer = setInterval(() => {
    const now = performance.now();
    // A histogram records positive integers: 1 ns stands for "on time".
    delay.record(Math.max(1, Math.round((now - expected) * NS_PER_MS)));
    expected = now + RESOLUTION_MS;
  }, RESOLUTION_MS);
  timer.unref();
  let gc = { count: 0, totalMs: 0, maxMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count++;
      gc.totalMs += entry.duration;
      gc.maxMs = Math.max(gc.maxMs, entry.duration);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    sample() {
      // A histogram with no sample reports NaN or huge sentinels; the loop was never late then.
      const ms = (ns: number): number => (delay.count > 0 && Number.isFinite(ns) ? ns / NS_PER_MS : 0);
      const result: RuntimeSample = {
        loopDelayP50Ms: ms(delay.percentile(50)),
        loopDelayP99Ms: ms(delay.percentile(99)),
        loopDelayMaxMs: ms(delay.max),
        gcCount: gc.count,
        gcTotalMs: gc.totalMs,
        gcMaxMs: gc.maxMs,
      };
      delay.reset();
      gc = { count: 0, totalMs: 0, maxMs: 0 };
      return result;
    },
    stop() {
      clearInterval(timer);
      observer.disconnect();
    },
  };
}
