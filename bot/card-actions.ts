/** Card clicks (Action.Execute invokes): through the approval services, answered with the updated card. */
import type { AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue, TurnContext } from 'botbuilder';
import { renderBatchCard } from '../cards/batch-card.js';
import { renderJobCard } from '../cards/job-card.js';
import type { ApprovalService, DecisionResult } from '../services/approvals/approval-service.js';
import type {
  BatchApprovalService,
  BatchDecisionResult,
} from '../services/approvals/batch-approval-service.js';
import type { InputProblem } from '../services/approvals/decision-inputs.js';
import type { ApprovalConfig } from '../services/config/config.js';
import { parseCardAction } from './card-invoke.js';
import { renderLookupCard } from '../cards/lookup-card.js';
import { kindTitle } from '../services/domain/job-kinds.js';
import type { LifecycleResult, LifecycleService } from '../services/lifecycle/lifecycle-service.js';

export interface CardActionDeps {
  approvals: ApprovalService;
  batchApprovals: BatchApprovalService;
  lifecycle: LifecycleService;
  approvalConfig: ApprovalConfig;
}

const CARD = 'application/vnd.microsoft.card.adaptive';

/** An invoke answered with a message instead of a card. */
function message(text: string): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text as never };
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

export class CardActions {
  constructor(private readonly deps: CardActionDeps) {}

  async answer(context: TurnContext, value: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
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
    if (action.kind === 'lifecycle')
      return this.replyForDevice(
        await this.deps.lifecycle.request({
          serialNumber: action.target.serialNumber,
          recordId: action.target.recordId,
          verb: action.verb,
          inputs: action.inputs,
          actor: action.actor,
        }),
      );
    const { target, verb, inputs } = action;
    if (target.kind === 'batch')
      return this.replyForBatch(
        await this.deps.batchApprovals.decide({ batchId: target.batchId, verb, inputs, actor: action.actor }),
      );
    return this.reply(
      await this.deps.approvals.decide({ jobId: target.jobId, verb, inputs, actor: action.actor }),
    );
  }

  /** The look-up card again, as the device is now: with what started, or the problems beside their inputs. */
  private replyForDevice(result: LifecycleResult): AdaptiveCardInvokeResponse {
    if (result.kind === 'denied') return message(result.message);
    const notice =
      result.kind === 'started'
        ? {
            text: `Started: ${lowerFirst(kindTitle(result.job))} (job ${result.job.id}). Its card in the helpdesk channel shows each step.`,
            good: true,
          }
        : result.kind === 'refused'
          ? { text: result.message, good: false }
          : undefined;
    return {
      statusCode: 200,
      type: CARD,
      value: renderLookupCard(result.lookup, new Date(), {
        approvals: this.deps.approvalConfig,
        ...(result.kind === 'invalid' ? { problems: result.problems } : {}),
        ...(notice ? { notice } : {}),
      }),
    };
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
