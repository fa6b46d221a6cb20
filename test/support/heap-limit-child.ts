/** Sends its V8 heap limit in MB over IPC (test/bench/service-process.test.ts). */
import { getHeapStatistics } from 'node:v8';

process.send?.({ ok: true, value: getHeapStatistics().heap_size_limit / 1024 / 1024 }, () =>
  process.disconnect?.(),
);
