/** Upload records removed as soon as their import is confirmed, and what cleanup-import makes of that. */
import { describe, expect, it } from 'vitest';
import type { ImportJob } from '../../../services/domain/job.js';
import type { AutopilotGraph, ItemResult } from '../../../services/graph/autopilot-graph.js';
import { GraphRequestError } from '../../../services/graph/graph-errors.js';
import type { StepContext } from '../../../services/pipeline/step-context.js';
import { cleanupImport, removedWithoutGraph } from '../../../services/pipeline/steps/cleanup-import.js';
import { UploadCleanup } from '../../../services/pipeline/upload-cleanup.js';
import { WaitEstimator } from '../../../services/pipeline/wait-estimator.js';
import { silentLogger } from '../../support/graph.js';
import { submittedJob } from '../../support/jobs.js';
import { testSettings } from '../../support/pipeline.js';

type Answers = Map<string, ItemResult<void>>;

/** A Graph whose deletes answer when the test says so; every call's ids are kept. */
function controlledDeletes() {
  const calls: string[][] = [];
  const pending: { ids: readonly string[]; answer: (a: Answers) => void; refuse: (e: Error) => void }[] = [];
  const graph = {
    deleteImportedIdentities: (ids: readonly string[]) =>
      new Promise<Answers>((answer, refuse) => {
        calls.push([...ids]);
        pending.push({ ids, answer, refuse });
      }),
  } as unknown as AutopilotGraph;
  const settle = (answerOf: (id: string) => ItemResult<void>) => {
    for (const call of pending.splice(0)) call.answer(new Map(call.ids.map((id) => [id, answerOf(id)])));
  };
  return { graph, calls, pending, settle };
}

const removed: ItemResult<void> = { ok: true, value: undefined };
const busy: ItemResult<void> = {
  ok: false,
  error: new GraphRequestError(503, 'ServiceUnavailable', 'busy'),
};
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('UploadCleanup', () => {
  it('begins one delete for the records it is given and tells what became of each, once', async () => {
    const { graph, calls, settle } = controlledDeletes();
    const uploads = new UploadCleanup(graph, silentLogger);
    uploads.begin(['imp-1', 'imp-2']);
    uploads.begin(['imp-2']); // already under way: not deleted twice
    expect(calls).toEqual([['imp-1', 'imp-2']]);
    expect(uploads.take(['imp-1', 'imp-3'])).toEqual({ removed: new Set(), underWay: new Set(['imp-1']) });

    settle((id) => (id === 'imp-1' ? removed : busy));
    await turn();
    // imp-1 is gone; imp-2's delete failed, so it is left to the step; imp-3 was never begun here.
    expect(uploads.take(['imp-1', 'imp-2', 'imp-3'])).toEqual({
      removed: new Set(['imp-1']),
      underWay: new Set(),
    });
    expect(uploads.take(['imp-1'])).toEqual({ removed: new Set(), underWay: new Set() });
  });

  it('sends a chunk of 100 at a time, one under way, and hands back what still waits for its chunk', async () => {
    const { graph, calls, settle } = controlledDeletes();
    const uploads = new UploadCleanup(graph, silentLogger);
    const ids = Array.from({ length: 250 }, (_, i) => `imp-${i}`);
    uploads.begin(ids);
    expect(calls.map((c) => c.length)).toEqual([100]);
    // imp-249 waits for the third chunk: the step may delete it itself, and the chunk goes without it.
    expect(uploads.take(['imp-249'])).toEqual({ removed: new Set(), underWay: new Set() });
    for (const expected of [
      [100, 100],
      [100, 100, 49],
    ]) {
      settle(() => removed);
      await turn();
      await turn();
      expect(calls.map((c) => c.length)).toEqual(expected);
    }
    expect(calls[2]).not.toContain('imp-249');
  });

  it('forgets records whose whole delete call failed, so the step deletes them itself', async () => {
    const { graph, pending } = controlledDeletes();
    const uploads = new UploadCleanup(graph, silentLogger);
    uploads.begin(['imp-1']);
    pending[0]?.refuse(new Error('socket hang up'));
    await turn();
    expect(uploads.take(['imp-1'])).toEqual({ removed: new Set(), underWay: new Set() });
  });

  it('forgets answers nobody asked for after an hour', async () => {
    const { graph, settle } = controlledDeletes();
    let now = 0;
    const uploads = new UploadCleanup(graph, silentLogger, () => now);
    uploads.begin(['imp-old']);
    settle(() => removed);
    await turn();
    now = 3_600_001;
    uploads.begin(['imp-new']);
    expect(uploads.take(['imp-old']).removed.size).toBe(0);
  });
});

describe('cleanup-import with deletes begun early', () => {
  const at = new Date('2026-11-01T12:00:00Z');
  const jobWith = (importedIdentityId: string): ImportJob => ({
    ...submittedJob(new Date('2026-11-01T11:00:00Z')),
    status: 'running',
    graph: { importedIdentityId },
  });
  const context = (graph: AutopilotGraph, uploads: UploadCleanup): StepContext => ({
    graph,
    settings: testSettings(),
    syncGate: { requestSync: () => Promise.resolve('requested') },
    now: at,
    random: () => 0.5,
    estimates: new WaitEstimator(),
    resumed: new Set(),
    uploads,
  });

  it('takes what was removed, waits for what is under way and deletes the rest itself', async () => {
    const { graph, calls, settle } = controlledDeletes();
    const uploads = new UploadCleanup(graph, silentLogger);
    uploads.begin(['imp-early']);
    settle(() => removed);
    await turn();
    uploads.begin(['imp-under-way']);
    const jobs = ['imp-early', 'imp-under-way', 'imp-restarted'].map(jobWith);

    const step = cleanupImport(jobs, context(graph, uploads));
    await turn();
    // Only the record no early delete knows of is deleted by the step.
    expect(calls.at(-1)).toEqual(['imp-restarted']);
    settle(() => removed);
    const outcomes = await step;
    expect(outcomes.get(jobs[0]!.id)).toMatchObject({ kind: 'done' });
    expect(outcomes.get(jobs[1]!.id)).toEqual({
      kind: 'wait',
      until: new Date(at.getTime() + testSettings().pollMinMs),
    });
    expect(outcomes.get(jobs[2]!.id)).toMatchObject({ kind: 'done' });
    expect(calls).toHaveLength(3);
  });

  it('is settled without Graph only for a record whose early delete succeeded (taken once) or that was never made', async () => {
    const { graph, settle } = controlledDeletes();
    const uploads = new UploadCleanup(graph, silentLogger);
    uploads.begin(['imp-ok', 'imp-busy']);
    const under = jobWith('imp-ok');
    expect(removedWithoutGraph(under, uploads)).toBeUndefined(); // still under way
    settle((id) => (id === 'imp-ok' ? removed : busy));
    await turn();
    expect(removedWithoutGraph(under, uploads)).toEqual({ kind: 'done', note: 'Upload record removed' });
    // Taken: a second look (the write was retried) leaves it to the step, whose delete then finds it gone.
    expect(removedWithoutGraph(under, uploads)).toBeUndefined();
    expect(removedWithoutGraph(jobWith('imp-busy'), uploads)).toBeUndefined();
    expect(removedWithoutGraph({ ...under, graph: {} }, uploads)).toMatchObject({ kind: 'done' });
    expect(removedWithoutGraph(jobWith('imp-unknown'), undefined)).toBeUndefined();
  });
});
