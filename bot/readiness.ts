/**
 * Readiness and shutdown. `GET /api/health` stays liveness (the process serves); readiness also needs the store
 * and an instance that is not stopping. On SIGTERM the service stops taking work, gives back the jobs in hand,
 * and sends what the card and notice queues still owe for a bounded time before it closes the store.
 */
import type { JobStore } from '../services/store/job-store.js';
import type { CardQueue } from './card-queue.js';

const STORE_PROBE_MS = 2_000;
/** App Service allows a container 30 s after SIGTERM; the queues get a third of it. */
export const DRAIN_MS = 10_000;

const timeout = (ms: number) =>
  new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref());

export class Readiness {
  stopping = false;

  constructor(private readonly store: JobStore) {}

  /** Why no traffic should come here now, or undefined. A point read stands for the store as a whole. */
  notReady = async (): Promise<string | undefined> => {
    if (this.stopping) return 'stopping';
    const probe = this.store.getChannelBinding().then(
      () => 'ok' as const,
      () => 'failed' as const,
    );
    const answer = await Promise.race([probe, timeout(STORE_PROBE_MS)]);
    return answer === 'ok' ? undefined : 'the store cannot be reached';
  };
}

/** Waits until the queues have sent what they owe, or `ms` has passed; true when they are empty. */
export async function drain(queues: readonly CardQueue[], ms = DRAIN_MS): Promise<boolean> {
  const idle = Promise.all(queues.map((q) => q.idle())).then(() => 'idle' as const);
  return (await Promise.race([idle, timeout(ms)])) === 'idle';
}
