/** Settings for starting the whole service in tests: the demo, a thousand times faster, in `dir`. */
export function fastDemoEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATA_DIR: dir,
    EMULATOR_TIME_SCALE: '0.002',
    WORKER_TICK_MS: '20',
    WORKER_POLL_MIN_MS: '20',
    WORKER_POLL_MAX_MS: '200',
    ...extra,
  };
}
