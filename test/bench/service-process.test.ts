/** The bulk benchmark runs the service with the Node flags `npm start` gives it (bench/service-process.ts). */
import { describe, expect, it } from 'vitest';
import { inServiceProcess, serviceNodeFlags } from '../../bench/service-process.js';

describe('service process for benchmarks', () => {
  it('takes the Node flags of the start script, not its command or entry', () => {
    expect(serviceNodeFlags('tsx --max-old-space-size=1024 --enable-source-maps bot/main.ts')).toEqual([
      '--max-old-space-size=1024',
      '--enable-source-maps',
    ]);
    expect(serviceNodeFlags('tsx bot/main.ts')).toEqual([]);
  });

  it("reads package.json's start script: the service's heap is bounded", () => {
    expect(serviceNodeFlags()).toContainEqual(expect.stringMatching(/^--max-old-space-size=\d+$/));
  });

  it('runs a script with those flags and hands back what it sent', async () => {
    const limitMb = await inServiceProcess<number>('test/support/heap-limit-child.ts', []);
    const flag = serviceNodeFlags().find((f) => f.startsWith('--max-old-space-size='));
    const asked = Number(flag?.split('=')[1]);
    // V8's limit is the old space asked for plus the young generation's room.
    expect(limitMb).toBeGreaterThanOrEqual(asked);
    expect(limitMb).toBeLessThan(asked + 128);
  });
});
