/**
 * The Teams activity handler: refuses other tenants, and hands each activity to what deals with it: installation
 * updates to the channel binder (and the personal welcome), messages to the command answers, card clicks to the
 * card actions.
 */
import {
  TeamsActivityHandler,
  TeamsInfo,
  TurnContext,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
} from 'botbuilder';
import type { ApproverDirectory } from '../services/approvals/approver-directory.js';
import { describeError } from '../services/errors.js';
import type { Logger } from '../services/logging/logger.js';
import type { JobStore } from '../services/store/job-store.js';
import type { CardActions } from './card-actions.js';
import type { ChannelBinder } from './channel-binder.js';
import { askerOf, type CommandAnswers } from './command-answers.js';
import { HELP_PERSONAL, parseCommand } from './commands.js';

export interface BotDeps {
  store: JobStore;
  directory: ApproverDirectory;
  binder: ChannelBinder;
  commands: CommandAnswers;
  cardActions: CardActions;
  logger: Logger;
  /** The only tenant allowed to talk to the bot, when set. */
  tenantId?: string;
}

function tenantOf(context: TurnContext): string | undefined {
  const channelData = context.activity.channelData as { tenant?: { id?: string } } | undefined;
  return context.activity.conversation?.tenantId ?? channelData?.tenant?.id;
}

export class ApprovalsBot extends TeamsActivityHandler {
  constructor(private readonly deps: BotDeps) {
    super();
    this.onInstallationUpdate(async (context, next) => {
      const type = context.activity.conversation?.conversationType;
      if (type === 'channel') await this.deps.binder.onInstallationUpdate(context);
      // A welcome on install only: an app upgrade (`add-upgrade`) says nothing.
      if (type === 'personal' && context.activity.action === 'add') {
        await this.rememberPersonalChat(context);
        await context.sendActivity(`Welcome! ${HELP_PERSONAL}`);
      }
      await next();
    });
    this.onMessage(async (context, next) => {
      await this.answerMessage(context);
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    const tenant = tenantOf(context);
    if (this.deps.tenantId && tenant?.toLowerCase() !== this.deps.tenantId.toLowerCase()) {
      this.deps.logger.warn(
        { tenant, activityType: context.activity.type },
        'activity from another tenant refused',
      );
      if (context.activity.type === 'invoke')
        await context.sendActivity({ type: 'invokeResponse', value: { status: 403 } });
      return;
    }
    await super.run(context);
  }

  private async answerMessage(context: TurnContext): Promise<void> {
    const text = TurnContext.removeRecipientMention(context.activity) ?? context.activity.text ?? '';
    const inChannel = context.activity.conversation?.conversationType === 'channel';
    const upn = inChannel ? undefined : await this.rememberPersonalChat(context);
    await this.deps.commands.execute(
      context,
      parseCommand(text, inChannel),
      inChannel,
      askerOf(context, this.deps.directory, upn),
    );
  }

  /** Keeps where to reach this person (so that they can be told when their device is done); returns their UPN. */
  private async rememberPersonalChat(context: TurnContext): Promise<string | undefined> {
    try {
      const member = await TeamsInfo.getMember(context, context.activity.from.id);
      const upn = member.userPrincipalName?.toLowerCase();
      if (upn)
        await this.deps.store.saveUserReference(upn, TurnContext.getConversationReference(context.activity));
      return upn;
    } catch (error) {
      // Best effort: without it the person is not notified, but their request is still answered.
      this.deps.logger.warn({ err: describeError(error) }, 'could not remember a personal chat');
      return undefined;
    }
  }

  protected override onAdaptiveCardInvoke(
    context: TurnContext,
    value: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    return this.deps.cardActions.answer(context, value);
  }
}
