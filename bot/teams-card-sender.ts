/** Posts and updates cards in Teams through the adapter (proactive messages). */
import {
  CardFactory,
  MessageFactory,
  TeamsInfo,
  type Activity,
  type CloudAdapter,
  type ConversationReference,
  type TurnContext,
} from 'botbuilder';
import { AppError } from '../services/errors.js';
import type { CardAddress, JobStore } from '../services/store/job-store.js';
import type { CardContent, CardSender } from './card-queue.js';

/** Teams returns the message id; the Agents Playground returns `<thread>;messageid=<id>`. Both give the id. */
export function messageIdOf(activityId: string): string {
  const marker = ';messageid=';
  return activityId.includes(marker)
    ? activityId.slice(activityId.indexOf(marker) + marker.length)
    : activityId;
}

/** A connector failure as an AppError that says whether (and when) to retry. */
export function connectorError(error: unknown): AppError {
  const e = error as {
    statusCode?: number;
    response?: { headers?: { get?(name: string): string | undefined } };
    message?: string;
  };
  const status = e.statusCode ?? 0;
  const retryAfter = Number(e.response?.headers?.get?.('retry-after'));
  return new AppError(
    `teams_${status || 'network'}`,
    `Teams answered ${status || 'nothing'}: ${e.message ?? ''}`.trim(),
    {
      retryable: status === 0 || status === 412 || status === 429 || status >= 500,
      ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
      cause: error,
    },
  );
}

export class TeamsCardSender implements CardSender {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
    private readonly store: JobStore,
  ) {}

  /**
   * Runs `work` in the conversation and rethrows what it threw. The adapter would otherwise hand the error to
   * its onTurnError (which logs it) and resolve, so a failed or throttled send would look like a success.
   */
  private async inConversation(
    reference: Partial<ConversationReference>,
    work: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    let failure: unknown;
    await this.adapter.continueConversationAsync(this.botAppId, reference, async (context) => {
      try {
        await work(context);
      } catch (error) {
        failure = error;
      }
    });
    if (failure !== undefined) throw failure instanceof AppError ? failure : connectorError(failure);
  }

  async post(card: CardContent): Promise<CardAddress | undefined> {
    const binding = await this.store.getChannelBinding();
    if (!binding) return undefined;
    let address: CardAddress | undefined;
    // sendMessageToTeamsChannel wants a full Activity; a message with one attachment is one.
    const message = MessageFactory.attachment(CardFactory.adaptiveCard(card)) as Activity;
    // The notification's text in Teams' activity feed: the card's plain-text fallback.
    if (typeof card.fallbackText === 'string') message.summary = card.fallbackText;
    await this.inConversation(binding.conversationReference, async (context) => {
      const [reference, activityId] = await TeamsInfo.sendMessageToTeamsChannel(
        context,
        message,
        binding.channelId,
        this.botAppId,
      );
      if (!activityId || !reference.conversation?.id)
        throw new AppError('teams_post_failed', 'Teams did not confirm the new card.', { retryable: true });
      address = {
        conversationReference: reference as unknown as Record<string, unknown>,
        activityId: messageIdOf(activityId),
      };
    });
    return address;
  }

  async update(address: CardAddress, card: CardContent): Promise<void> {
    const attachment = CardFactory.adaptiveCard(card);
    await this.inConversation(address.conversationReference, async (context) => {
      await context.updateActivity({
        type: 'message',
        id: address.activityId,
        attachments: [attachment],
        ...(typeof card.fallbackText === 'string' ? { summary: card.fallbackText } : {}),
      });
    });
  }
}
