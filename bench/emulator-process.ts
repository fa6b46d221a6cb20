/**
 * The Graph emulator in a process of its own, for benchmarks: Graph is another machine in production, so it must
 * not share the CPU or the memory that the benchmark measures. Started by bench/emulator-child.ts through
 * `fork`, with its options in EMULATOR_OPTIONS (JSON); answers "log" with the requests it logged.
 */
import { startGraphEmulator, type GraphEmulatorOptions } from '../graph-emulator/server.js';

const options = JSON.parse(process.env.EMULATOR_OPTIONS ?? '{}') as GraphEmulatorOptions;
const emulator = await startGraphEmulator({ ...options, host: '127.0.0.1' });

process.on('message', (message: { type?: string }) => {
  if (message.type === 'log') process.send?.({ type: 'log', entries: emulator.log.entries });
  if (message.type === 'stop') void emulator.stop().then(() => process.exit(0));
});
process.send?.({
  type: 'ready',
  address: {
    graphUrl: emulator.graphUrl,
    authorityHost: emulator.authorityHost,
    caCertificate: emulator.caCertificate,
    tenantId: emulator.tenantId,
  },
});
