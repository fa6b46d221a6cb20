/**
 * Tells the person a device was requested for (the submission's requestedBy) how it ended, in their personal
 * chat with the bot, once the bot knows that chat (they installed the app or wrote to it).
 */
import type { CloudAdapter } from 'botbuilder';
import { plainText as esc } from '../cards/escape.js';
import type { ImportJob } from '../services/domain/job.js';
import { describeError } from '../services/errors.js';
import type { Logger } from '../services/logging/logger.js';
import type { ProgressPublisher } from '../services/pipeline/progress.js';
import type { JobStore } from '../services/store/job-store.js';
import type { SendBudget } from './send-budget.js';

/** The message, as plain text (values as typed). */
export function notificationText(job: ImportJob): string | undefined {
  const device = `${esc(job.device.manufacturer)} ${esc(job.device.model)} (serial ${esc(job.device.serialNumber)})`;
  switch (job.status) {
    case 'completed':
      return job.outcome === 'already_registered'
        ? `Your device ${device} was already registered with Autopilot; nothing more was needed.`
        : `Your device ${device} is now registered with Autopilot. You can set it up.`;
    case 'failed':
      return `Your device ${device} could not be registered: ${esc(job.error?.code ?? '')} ${esc(job.error?.name ?? '')}. ${esc(job.error?.advice ?? '')} The helpdesk has been told.`;
    case 'rejected':
      return `Your request for device ${device} was rejected by ${esc(job.rejection?.by.name ?? 'the helpdesk')}: ${esc(job.rejection?.reason ?? '')}`;
    default:
      return undefined;
  }
}

export class SubmitterNotifier implements ProgressPublisher {
  /** Each ending is told once per process; the pipeline reaches an ending only once anyway. */
  private readonly told = new Set<string>();

  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
    private readonly store: JobStore,
    private readonly logger: Logger,
    /** The app's send budget, shared with the cards. */
    private readonly budget?: SendBudget,
  ) {}

  jobChanged(job: ImportJob): void {
    const text = notificationText(job);
    const upn = job.submittedBy.requestedBy;
    const key = `${job.id}:${job.status}`;
    if (!text || !upn || this.told.has(key)) return;
    this.told.add(key);
    this.notify(upn, text).catch((error: unknown) =>
      this.logger.warn({ jobId: job.id, err: describeError(error) }, 'submitter notification failed'),
    );
  }

  private async notify(upn: string, text: string): Promise<void> {
    const reference = await this.store.getUserReference(upn);
    if (!reference) return;
    const settle = await this.budget?.acquire('later');
    try {
      await this.adapter.continueConversationAsync(this.botAppId, reference, async (context) => {
        // Sent as plain text: the person's values show as typed, with nothing to escape.
        await context.sendActivity({ type: 'message', text, textFormat: 'plain' });
      });
    } finally {
      settle?.();
    }
  }
}
