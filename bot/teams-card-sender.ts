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

function teamsErrorOf(body: string | undefined): { code?: string; subCode?: string } | undefined {
  try {
    const parsed = JSON.parse(body ?? '') as { error?: { code?: unknown; subCode?: unknown } };
    const { code, subCode } = parsed.error ?? {};
    return {
      ...(typeof code === 'string' ? { code } : {}),
      ...(typeof subCode === 'string' ? { subCode } : {}),
    };
  } catch {
    return undefined;
  }
}

/** A connector failure as an AppError that says whether (and when) to retry. */
export function connectorError(error: unknown): AppError {
  const e = error as {
    statusCode?: number;
    response?: { headers?: { get?(name: string): string | undefined }; bodyAsText?: string };
    message?: string;
  };
  const status = e.statusCode ?? 0;
  const retryAfter = Number(e.response?.headers?.get?.('retry-after'));
  // Teams' own code and subCode (e.g. Forbidden / MessageWritesBlocked) are in the answer's body.
  const teams = teamsErrorOf(e.response?.bodyAsText);
  const named = [teams?.code, teams?.subCode].filter(Boolean).join('/');
  return new AppError(
    `teams_${status || 'network'}`,
    `Teams answered ${status || 'nothing'}${named ? ` ${named}` : ''}: ${e.message ?? ''}`.trim(),
    {
      retryable: status === 0 || status === 412 || status === 429 || status >= 500,
      ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
      cause: error,
    },
  );
}

/**
 * Runs `work` in the conversation and rethrows what it threw, as an AppError that says whether to retry. The
 * adapter would otherwise hand the error to its onTurnError (which logs it) and resolve, so a failed or
 * throttled send would look like a success.
 */
export async function sendInConversation(
  adapter: CloudAdapter,
  botAppId: string,
  reference: Partial<ConversationReference>,
  work: (context: TurnContext) => Promise<void>,
): Promise<void> {
  let failure: unknown;
  await adapter.continueConversationAsync(botAppId, reference, async (context) => {
    try {
      await work(context);
    } catch (error) {
      failure = error;
    }
  });
  if (failure !== undefined) throw failure instanceof AppError ? failure : connectorError(failure);
}

export class TeamsCardSender implements CardSender {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
    private readonly store: JobStore,
  ) {}

  async post(card: CardContent): Promise<CardAddress | undefined> {
    const binding = await this.store.getChannelBinding();
    if (!binding) return undefined;
    let address: CardAddress | undefined;
    // sendMessageToTeamsChannel wants a full Activity; a message with one attachment is one.
    const message = MessageFactory.attachment(CardFactory.adaptiveCard(card)) as Activity;
    // The notification's text in Teams' activity feed: the card's plain-text fallback.
    if (typeof card.fallbackText === 'string') message.summary = card.fallbackText;
    await sendInConversation(this.adapter, this.botAppId, binding.conversationReference, async (context) => {
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
    await sendInConversation(this.adapter, this.botAppId, address.conversationReference, async (context) => {
      await context.updateActivity({
        type: 'message',
        id: address.activityId,
        attachments: [attachment],
        ...(typeof card.fallbackText === 'string' ? { summary: card.fallbackText } : {}),
      });
    });
  }
}
