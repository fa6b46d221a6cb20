/**
 * Answers to text commands. What a person may see depends on who they are and where they ask: the full card of
 * a request goes to approvers and to the people the request is about (requester, assigned user); anyone else
 * gets its status line. `pending` and `report` answer in the helpdesk channel, or to approvers in personal chat.
 */
import { CardFactory, MessageFactory, TeamsInfo, type TurnContext } from 'botbuilder';
import { renderJobCard, statusLine } from '../cards/job-card.js';
import {
  LIST_LIMIT,
  renderPendingCard,
  renderReportCard,
  renderRequestsCard,
  type ListPage,
  type ReportTitle,
} from '../cards/summary-cards.js';
import type { ReportPeriod } from '../services/reports/figures.js';
import type { ApproverDirectory } from '../services/approvals/approver-directory.js';
import type { ApprovalConfig } from '../services/config/config.js';
import type { ImportJob } from '../services/domain/job.js';
import type { JobFilter, JobStore } from '../services/store/job-store.js';
import type { ChannelBinder } from './channel-binder.js';
import { HELP_CHANNEL, HELP_PERSONAL, type Command } from './commands.js';
import { renderLookupCard } from '../cards/lookup-card.js';
import type { AutopilotGraph } from '../services/graph/autopilot-graph.js';
import { serialNumber } from '../services/intake/text-rules.js';
import { lookupDevice } from '../services/lookup/device-lookup.js';

export interface CommandDeps {
  store: JobStore;
  directory: ApproverDirectory;
  approvalConfig: ApprovalConfig;
  binder: ChannelBinder;
  /** Whether any REPORT_KEYS are configured (the export command says how to get one otherwise). */
  exportEnabled: boolean;
  /** For `lookup`: the live Autopilot record. */
  graph: Pick<AutopilotGraph, 'findAutopilotDevicesBySerial'>;
}

/** Who asks, resolved lazily (a roster look-up costs a call to Teams). */
export interface Asker {
  isApprover(): Promise<boolean>;
  /** Lower-case UPN, when Teams knows it. */
  upn(): Promise<string | undefined>;
}

const isAbout = (job: ImportJob, upn: string | undefined) =>
  !!upn && [job.submittedBy.requestedBy, job.device.assignedUser].some((u) => u?.toLowerCase() === upn);

export class CommandAnswers {
  constructor(private readonly deps: CommandDeps) {}

  async execute(context: TurnContext, command: Command, inChannel: boolean, asker: Asker): Promise<void> {
    switch (command.kind) {
      case 'bind':
        await context.sendActivity(await this.deps.binder.bindByCommand(context));
        return;
      case 'pending':
      case 'report':
      case 'export':
      case 'lookup':
        if (!(await this.mayReadSummaries(context, inChannel, asker))) {
          await context.sendActivity(
            'Pending requests, reports, look-ups and exports are shown in the helpdesk channel, or to approvers in personal chat.',
          );
          return;
        }
        if (command.kind === 'lookup') await this.answerLookup(context, command.serial);
        else if (command.kind === 'export')
          await context.sendActivity(exportHowTo(this.deps.exportEnabled, new Date()));
        else await this.card(context, await this.summary(command));
        return;
      case 'status':
        await this.answerStatus(context, command.query, asker);
        return;
      case 'my-requests':
        await this.answerMyRequests(context, asker);
        return;
      case 'help':
        await context.sendActivity(inChannel ? HELP_CHANNEL : HELP_PERSONAL);
    }
  }

  private async summary(command: Extract<Command, { kind: 'pending' | 'report' }>) {
    if (command.kind === 'pending')
      return renderPendingCard(await this.firstPage({ statuses: ['awaiting_approval'] }), new Date());
    return renderReportCard(
      await this.deps.store.report(periodOf(command.period, new Date())),
      command.period,
    );
  }

  private async mayReadSummaries(context: TurnContext, inChannel: boolean, asker: Asker): Promise<boolean> {
    if (!inChannel) return asker.isApprover();
    const bound = await this.deps.store.getChannelBinding();
    const channel = (context.activity.channelData as { channel?: { id?: string } } | undefined)?.channel?.id;
    return bound !== undefined && channel === bound.channelId;
  }

  private async answerStatus(context: TurnContext, query: string, asker: Asker): Promise<void> {
    const byId = (await this.deps.store.get(query))?.job;
    const job = byId ?? (await this.deps.store.list({ serialNumber: query, limit: 1 })).items[0];
    if (!job) {
      await context.sendActivity(`No request found for "${query.replace(/[^\w .:-]/g, '')}".`);
      return;
    }
    if ((await asker.isApprover()) || isAbout(job, await asker.upn())) {
      await this.card(
        context,
        renderJobCard(job, { approvals: this.deps.approvalConfig, interactive: false }),
      );
      return;
    }
    await context.sendActivity({
      type: 'message',
      text: `${job.device.serialNumber}: ${statusLine(job).text}`,
      textFormat: 'plain',
    });
  }

  /** The serial is checked as intake checks it: a short one would page through the tenant's devices. */
  private async answerLookup(context: TurnContext, text: string): Promise<void> {
    const serial = serialNumber.safeParse(text);
    if (!serial.success) {
      await context.sendActivity({
        type: 'message',
        text: `The serial number ${serial.error.issues[0]?.message ?? 'is not valid'}.`,
        textFormat: 'plain',
      });
      return;
    }
    const now = new Date();
    await this.card(
      context,
      // The actions show as on an approval card: anyone in the helpdesk channel sees them, only approvers may use them.
      renderLookupCard(await lookupDevice(this.deps.graph, this.deps.store, serial.data), now, {
        approvals: this.deps.approvalConfig,
      }),
    );
  }

  private async answerMyRequests(context: TurnContext, asker: Asker): Promise<void> {
    const upn = await asker.upn();
    if (!upn) {
      await context.sendActivity(
        'I could not find your user name in Teams, so I cannot look up your requests.',
      );
      return;
    }
    const from = new Date(Date.now() - 30 * 86_400_000).toISOString();
    await this.card(context, renderRequestsCard(await this.firstPage({ createdFrom: from, person: upn })));
  }

  /** The newest jobs a list card shows (without their hashes) and the store's count of all that match. */
  private async firstPage(filter: JobFilter): Promise<ListPage> {
    const [page, total] = await Promise.all([
      this.deps.store.list({ ...filter, limit: LIST_LIMIT, omitHash: true }),
      this.deps.store.count(filter),
    ]);
    return { jobs: page.items, total };
  }

  private async card(context: TurnContext, content: Record<string, unknown>): Promise<void> {
    await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(content)));
  }
}

/** The person behind a turn: approver by the directory, UPN from the Teams roster, each looked up once. */
export function askerOf(context: TurnContext, directory: ApproverDirectory, knownUpn?: string): Asker {
  let approver: Promise<boolean> | undefined;
  let upn: Promise<string | undefined> | undefined = knownUpn ? Promise.resolve(knownUpn) : undefined;
  return {
    isApprover: () => (approver ??= directory.isApprover(context.activity.from.aadObjectId ?? '')),
    upn: () =>
      // A roster that cannot be read fails the turn (the person gets a safe message with a reference).
      (upn ??= TeamsInfo.getMember(context, context.activity.from.id).then((m) =>
        m.userPrincipalName?.toLowerCase(),
      )),
  };
}

/** How to take the history out: the export API with a read-only report key, for the last 30 days by default. */
export function exportHowTo(enabled: boolean, now: Date): string {
  const to = now.toISOString().slice(0, 10);
  const from = new Date(now.getTime() - 30 * 86_400_000).toISOString().slice(0, 10);
  const call = `GET /api/exports/jobs?from=${from}&to=${to}&format=csv`;
  const lines = [
    "The job history (one row per request: serial, model, tag, source, requester, approver, decision, ticket, outcome, error code, times; never a hash) comes from the service's export API:",
    `- ${call} (or format=json), with "Authorization: Bearer <report key>"`,
    `- curl -H "Authorization: Bearer $REPORT_KEY" -o jobs.csv "https://<this service>/api/exports/jobs?from=${from}&to=${to}&format=csv"`,
  ];
  lines.push(
    enabled
      ? "Report keys are read-only and kept apart from intake keys; ask the service's administrator for one."
      : 'No report key is configured yet: the administrator sets REPORT_KEYS (name:key, at least 16 characters).',
  );
  return lines.join('\n');
}

/** The instants a report covers: the last N days up to now, or whole UTC days from the first to the last. */
export function periodOf(title: ReportTitle, now: Date): ReportPeriod {
  if ('days' in title)
    return { from: new Date(now.getTime() - title.days * 86_400_000).toISOString(), to: now.toISOString() };
  const end = new Date(`${title.lastDay}T00:00:00.000Z`);
  return {
    from: `${title.firstDay}T00:00:00.000Z`,
    to: new Date(end.getTime() + 86_400_000).toISOString(),
  };
}
