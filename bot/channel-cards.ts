/** Draws the channel's cards: a job's own card, or the card of the CSV batch the job belongs to. */
import { renderBatchCard } from '../cards/batch-card.js';
import { renderJobCard } from '../cards/job-card.js';
import type { ApprovalConfig } from '../services/config/config.js';
import { batchProgress, type ImportBatch } from '../services/domain/batch.js';
import type { ImportJob } from '../services/domain/job.js';
import type { JobStore } from '../services/store/job-store.js';
import { listAll } from '../services/store/list-all.js';
import type { CardRenderer, RenderedCard } from './card-queue.js';

export class ChannelCards implements CardRenderer {
  constructor(
    private readonly store: JobStore,
    private readonly approvals: ApprovalConfig,
  ) {}

  keyOf(job: ImportJob): string {
    return job.batchId ? `batch:${job.batchId}` : job.id;
  }

  async render(job: ImportJob): Promise<RenderedCard> {
    if (!job.batchId)
      return { content: renderJobCard(job, { approvals: this.approvals }), version: job.updatedAt };
    const jobs = await listAll(this.store, { batchId: job.batchId });
    const batch = (await this.store.getBatch(job.batchId))?.batch ?? standIn(job, jobs);
    return {
      content: renderBatchCard(batch, jobs, { approvals: this.approvals }),
      version: batchProgress(batch, jobs).version,
    };
  }
}

/** A batch whose record is gone (purged, or lost to a crash at intake) is drawn from its jobs alone. */
function standIn(job: ImportJob, jobs: readonly ImportJob[]): ImportBatch {
  return {
    id: job.batchId ?? job.id,
    createdAt: jobs.reduce((first, j) => (j.createdAt < first ? j.createdAt : first), job.createdAt),
    submittedBy: job.submittedBy,
    rows: jobs.length,
    alreadyOpen: 0,
    refused: [],
  };
}
