/**
 * A pause a loop can be woken from: `pause(ms)` resolves after `ms` (a timer that keeps
 * no process alive), or at once when `wake()` is called, so a background loop that
 * retries with backoff stops without waiting its pause out.
 */
export interface WakeablePause {
  pause(ms: number): Promise<void>;
  /** Ends the pause under way now, if any. */
  wake(): void;
}

export function wakeablePause(): WakeablePause {
  let timer: NodeJS.Timeout | undefined;
  let resolveNow: (() => void) | undefined;
  return {
    pause: (ms) =>
      new Promise<void>((resolve) => {
        resolveNow = resolve;
        timer = setTimeout(resolve, ms);
        timer.unref();
      }),
    wake() {
      clearTimeout(timer);
      resolveNow?.();
    },
  };
}
