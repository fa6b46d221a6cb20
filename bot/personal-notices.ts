/**
 * Tells the person a device was requested for (the submission's requestedBy) how it ended, in their personal
 * chat with the bot. A notice is a message of its own keyed `notice:<job id>` in the card queue: the same
 * durable path as the channel's cards (the store records which ending each person was told, a restart or the
 * periodic reconcile sends what was missed), the app's send budget, and retries of 412, 429 and 5xx. Teams
 * answers 403 when the person blocked or removed the app (MessageWritesBlocked, per Teams' page on analysing
 * blocked or uninstalled bots): the chat is then dropped, with why, and nothing is sent to it until the person
 * writes to the bot again.
 */
import type { CloudAdapter } from 'botbuilder';
import { plainText as esc } from '../cards/escape.js';
import { statusLine } from '../cards/job-card.js';
import { isTerminal, type ImportJob } from '../services/domain/job.js';
import { isAppError } from '../services/errors.js';
import type { Logger } from '../services/logging/logger.js';
import type { ProgressPublisher } from '../services/pipeline/progress.js';
import type { CardAddress, ConversationReferenceData, JobStore } from '../services/store/job-store.js';
import type { CardContent, CardQueue, CardRenderer, CardSender, RenderedCard } from './card-queue.js';
import { sendInConversation } from './teams-card-sender.js';

/**
 * The message, as plain text: the request's status line and nothing more. Who a device is "requested for" is
 * the submitter's word (any intake key can name anyone), so the person named learns only how the request
 * ended, and where to read more: `status` shows them the full card, as the job's requester.
 */
export function notificationText(job: ImportJob): string | undefined {
  if (!isTerminal(job.status) || job.status === 'expired') return undefined;
  const serial = esc(job.device.serialNumber);
  return `Your Autopilot request for device ${serial}: ${statusLine(job).text}. Write "status ${serial}" for the details.`;
}

/**
 * A job whose ending its requester is to be told: only once a person decided it (approved, then finished or
 * failed; or rejected), so that a submission naming someone cannot make the bot write to them by itself.
 */
export function owesNotice(job: ImportJob): boolean {
  return (
    !!job.submittedBy.requestedBy &&
    (job.approval !== undefined || job.rejection !== undefined) &&
    notificationText(job) !== undefined
  );
}

interface Notice extends CardContent {
  to: string;
  text: string;
}

/** Draws a notice; its version is the job's updatedAt, so a later ending (after a retry) is told as well. */
export const noticeRenderer: CardRenderer = {
  keyOf: (job) => `notice:${job.id}`,
  render: (job): Promise<RenderedCard> =>
    Promise.resolve({
      content: { to: job.submittedBy.requestedBy ?? '', text: notificationText(job) ?? '' } satisfies Notice,
      version: job.updatedAt,
    }),
};

/** Only the endings owed to a requester reach the notice queue. */
export function noticePublisher(queue: CardQueue): ProgressPublisher {
  return {
    jobChanged(job) {
      if (owesNotice(job)) queue.jobChanged(job);
    },
  };
}

export class TeamsNoticeSender implements CardSender {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
    private readonly store: JobStore,
    private readonly logger: Logger,
  ) {}

  /** Sends the first notice of a job; undefined when the bot has no chat with the person (nothing is owed). */
  async post(content: CardContent): Promise<CardAddress | undefined> {
    const notice = content as Notice;
    const reference = await this.store.getUserReference(notice.to);
    if (!reference) return undefined;
    const activityId = await this.send(notice, reference);
    return activityId === undefined ? undefined : { conversationReference: reference, activityId };
  }

  /** A later ending of the same job is a new message in the chat, not an edit of the earlier one. */
  async update(address: CardAddress, content: CardContent): Promise<void> {
    const notice = content as Notice;
    const reference = (await this.store.getUserReference(notice.to)) ?? address.conversationReference;
    await this.send(notice, reference);
  }

  private async send(notice: Notice, reference: ConversationReferenceData): Promise<string | undefined> {
    let id = '';
    try {
      await sendInConversation(this.adapter, this.botAppId, reference, async (context) => {
        // Sent as plain text: the person's values show as typed, with nothing to escape.
        const answer = await context.sendActivity({
          type: 'message',
          text: notice.text,
          textFormat: 'plain',
        });
        id = answer?.id ?? '';
      });
      return id;
    } catch (error) {
      if (!isAppError(error) || error.code !== 'teams_403') throw error;
      const reason = `403 ${/MessageWritesBlocked|ConversationBlockedByUser|BotNotInConversationRoster/.exec(error.message)?.[0] ?? error.message}`;
      await this.store.dropUserReference(notice.to, { at: new Date().toISOString(), reason });
      this.logger.warn(
        { reason },
        'a requester blocked or removed the app: their personal chat is forgotten until they write to the bot',
      );
      return undefined;
    }
  }
}
