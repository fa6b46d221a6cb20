/**
 * The Teams activity handler: refuses other tenants, binds the helpdesk channel (on install, or "bind here" by
 * an approver), answers card clicks through the approval service with the updated card, and answers the
 * channel's and personal chat's commands.
 */
import {
  CardFactory,
  MessageFactory,
  TeamsActivityHandler,
  TeamsInfo,
  TurnContext,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
} from 'botbuilder';
import { renderBatchCard } from '../cards/batch-card.js';
import { renderJobCard } from '../cards/job-card.js';
import { renderPendingCard, renderReportCard, renderRequestsCard } from '../cards/summary-cards.js';
import type { ImportJob } from '../services/domain/job.js';
import { buildReport } from '../services/reports/report.js';
import { HELP_CHANNEL, HELP_PERSONAL, parseCommand, type Command } from './commands.js';
import type { ApprovalService, DecisionResult } from '../services/approvals/approval-service.js';
import type {
  BatchApprovalService,
  BatchDecisionResult,
} from '../services/approvals/batch-approval-service.js';
import type { InputProblem } from '../services/approvals/decision-inputs.js';
import type { ApproverDirectory } from '../services/approvals/approver-directory.js';
import type { ApprovalConfig } from '../services/config/config.js';
import { describeError } from '../services/errors.js';
import type { Logger } from '../services/logging/logger.js';
import type { JobStore } from '../services/store/job-store.js';
import { listAll } from '../services/store/list-all.js';
import { parseCardAction } from './card-invoke.js';

export interface BotDeps {
  store: JobStore;
  approvals: ApprovalService;
  batchApprovals: BatchApprovalService;
  directory: ApproverDirectory;
  approvalConfig: ApprovalConfig;
  logger: Logger;
  /** The only tenant allowed to talk to the bot, when set. */
  tenantId?: string;
  /** Called once a helpdesk channel is bound (by installing the app, or by "bind here"): cards can be posted. */
  onBound(how: 'installation' | 'command'): void;
}

const CARD = 'application/vnd.microsoft.card.adaptive';

function tenantOf(context: TurnContext): string | undefined {
  const channelData = context.activity.channelData as { tenant?: { id?: string } } | undefined;
  return context.activity.conversation?.tenantId ?? channelData?.tenant?.id;
}

export class ApprovalsBot extends TeamsActivityHandler {
  constructor(private readonly deps: BotDeps) {
    super();
    this.onInstallationUpdateAdd(async (context, next) => {
      const type = context.activity.conversation?.conversationType;
      if (type === 'channel') await this.bind(context, 'installation');
      if (type === 'personal') {
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

  private async bind(context: TurnContext, how: 'installation' | 'command'): Promise<void> {
    const data = context.activity.channelData as
      { team?: { id?: string }; channel?: { id?: string } } | undefined;
    const teamId = data?.team?.id;
    const channelId = data?.channel?.id ?? teamId;
    if (!teamId || !channelId) return;
    await this.deps.store.saveChannelBinding({
      teamId,
      channelId,
      conversationReference: TurnContext.getConversationReference(context.activity),
      boundBy:
        how === 'installation'
          ? 'installation'
          : (context.activity.from.aadObjectId ?? context.activity.from.id),
      boundAt: new Date().toISOString(),
    });
    this.deps.logger.info({ teamId, channelId, how }, 'helpdesk channel bound');
    this.deps.onBound(how);
  }

  private async answerMessage(context: TurnContext): Promise<void> {
    const text = TurnContext.removeRecipientMention(context.activity) ?? context.activity.text ?? '';
    const inChannel = context.activity.conversation?.conversationType === 'channel';
    const upn = inChannel ? undefined : await this.rememberPersonalChat(context);
    await this.execute(context, parseCommand(text, inChannel), inChannel, upn);
  }

  /** `knownUpn`: the person's UPN when the turn already looked it up. */
  private async execute(
    context: TurnContext,
    command: Command,
    inChannel: boolean,
    knownUpn?: string,
  ): Promise<void> {
    const card = (content: Record<string, unknown>) =>
      context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(content)));
    switch (command.kind) {
      case 'bind':
        if (!(await this.deps.directory.isApprover(context.activity.from.aadObjectId ?? ''))) {
          await context.sendActivity('Only helpdesk approvers can choose the channel for approval cards.');
          return;
        }
        await this.bind(context, 'command');
        await context.sendActivity('Approval cards will be posted in this channel from now on.');
        return;
      case 'pending':
        await card(renderPendingCard(await this.allJobs({ statuses: ['awaiting_approval'] }), new Date()));
        return;
      case 'report': {
        const from = new Date(Date.now() - command.days * 86_400_000).toISOString();
        await card(
          renderReportCard(buildReport(await this.allJobs({ createdFrom: from }), new Date(), command.days)),
        );
        return;
      }
      case 'status':
        await this.answerStatus(context, command.query);
        return;
      case 'my-requests':
        await this.answerMyRequests(context, knownUpn);
        return;
      case 'help':
        await context.sendActivity(inChannel ? HELP_CHANNEL : HELP_PERSONAL);
    }
  }

  private async answerStatus(context: TurnContext, query: string): Promise<void> {
    const byId = (await this.deps.store.get(query))?.job;
    const job = byId ?? (await this.deps.store.list({ serialNumber: query, limit: 1 })).items[0];
    if (!job) {
      await context.sendActivity(`No request found for "${query.replace(/[^\w .:-]/g, '')}".`);
      return;
    }
    const card = renderJobCard(job, { approvals: this.deps.approvalConfig, interactive: false });
    await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
  }

  private async answerMyRequests(context: TurnContext, knownUpn?: string): Promise<void> {
    const upn = knownUpn ?? (await this.userPrincipalName(context));
    if (!upn) {
      await context.sendActivity(
        'I could not find your user name in Teams, so I cannot look up your requests.',
      );
      return;
    }
    const from = new Date(Date.now() - 30 * 86_400_000).toISOString();
    const mine = (await this.allJobs({ createdFrom: from })).filter((j) =>
      [j.submittedBy.requestedBy, j.device.assignedUser].some((u) => u?.toLowerCase() === upn),
    );
    await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(renderRequestsCard(mine))));
  }

  /** Keeps where to reach this person (so that they can be told when their device is done); returns their UPN. */
  private async rememberPersonalChat(context: TurnContext): Promise<string | undefined> {
    try {
      const upn = await this.userPrincipalName(context);
      if (upn)
        await this.deps.store.saveUserReference(upn, TurnContext.getConversationReference(context.activity));
      return upn;
    } catch (error) {
      // Best effort: without it the person is not notified, but their request is still answered.
      this.deps.logger.warn({ err: describeError(error) }, 'could not remember a personal chat');
      return undefined;
    }
  }

  private async userPrincipalName(context: TurnContext): Promise<string | undefined> {
    const member = await TeamsInfo.getMember(context, context.activity.from.id);
    return member.userPrincipalName?.toLowerCase();
  }

  private allJobs(filter: { statuses?: ImportJob['status'][]; createdFrom?: string }): Promise<ImportJob[]> {
    return listAll(this.deps.store, filter);
  }

  protected override async onAdaptiveCardInvoke(
    context: TurnContext,
    value: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    const action = parseCardAction(value, {
      id: context.activity.from.aadObjectId,
      name: context.activity.from.name,
    });
    if (!action)
      return {
        statusCode: 400,
        type: 'application/vnd.microsoft.error',
        value: { code: 'BadRequest', message: 'This card action is not one this bot knows.' },
      };
    if (!action.actor) return message('Your Teams account has no Entra identity; nothing was changed.');
    const { target, verb, inputs } = action;
    if (target.kind === 'batch')
      return this.replyForBatch(
        await this.deps.batchApprovals.decide({ batchId: target.batchId, verb, inputs, actor: action.actor }),
      );
    return this.reply(
      await this.deps.approvals.decide({ jobId: target.jobId, verb, inputs, actor: action.actor }),
    );
  }

  private replyForBatch(result: BatchDecisionResult): AdaptiveCardInvokeResponse {
    if (result.kind === 'not_found') return message('This batch no longer exists.');
    return {
      statusCode: 200,
      type: CARD,
      value: renderBatchCard(result.batch, result.jobs, this.cardOptions(result)),
    };
  }

  private reply(result: DecisionResult): AdaptiveCardInvokeResponse {
    if (result.kind === 'not_found') return message('This request no longer exists.');
    return { statusCode: 200, type: CARD, value: renderJobCard(result.job, this.cardOptions(result)) };
  }

  /** The card after a click: input problems beside their inputs, or a one-line notice for the person. */
  private cardOptions(result: Exclude<DecisionResult | BatchDecisionResult, { kind: 'not_found' }>): {
    approvals: ApprovalConfig;
    problems?: InputProblem[];
    notice?: string;
  } {
    return {
      approvals: this.deps.approvalConfig,
      ...(result.kind === 'invalid' ? { problems: result.problems } : {}),
      ...(result.kind === 'denied' || result.kind === 'refused' ? { notice: result.message } : {}),
    };
  }
}

/** An invoke answered with a message instead of a card. */
function message(text: string): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text as never };
}
