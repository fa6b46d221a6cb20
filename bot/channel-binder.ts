/**
 * Which channel gets the approval cards. Installing the app is not an authorization (any member allowed to add
 * apps can install an org app in their own team, and botbuilder routes app upgrades, `add-upgrade`, to the same
 * handler as installs), so an install binds only when nothing is bound or configured yet, or when the installer
 * is an approver. Removing the app from the bound team forgets the binding. A move is announced in the old
 * channel.
 */
import { TurnContext } from 'botbuilder';
import type { ApproverDirectory } from '../services/approvals/approver-directory.js';
import { describeError } from '../services/errors.js';
import type { Logger } from '../services/logging/logger.js';
import type { ChannelBinding, ConversationReferenceData, JobStore } from '../services/store/job-store.js';

export interface BinderDeps {
  store: JobStore;
  directory: ApproverDirectory;
  logger: Logger;
  /** Called once a helpdesk channel is bound: cards can be posted. */
  onBound(how: 'installation' | 'command'): void;
  /** Posts a plain line in a channel (best effort): the old channel hears where the cards went. */
  announce(reference: ConversationReferenceData, text: string): Promise<void>;
}

/** Pure: does this install take the cards? */
export function installTakesCards(
  current: ChannelBinding | undefined,
  installerIsApprover: boolean,
): boolean {
  return current === undefined || installerIsApprover;
}

interface TeamsPlace {
  teamId: string;
  channelId: string;
  teamName?: string;
}

function placeOf(context: TurnContext): TeamsPlace | undefined {
  const data = context.activity.channelData as
    { team?: { id?: string; name?: string }; channel?: { id?: string } } | undefined;
  const teamId = data?.team?.id;
  const channelId = data?.channel?.id ?? teamId;
  if (!teamId || !channelId) return undefined;
  return { teamId, channelId, ...(data?.team?.name ? { teamName: data.team.name } : {}) };
}

export class ChannelBinder {
  constructor(private readonly deps: BinderDeps) {}

  /** An `installationUpdate` in a team: `add` may bind; `add-upgrade` never does; `remove` may unbind. */
  async onInstallationUpdate(context: TurnContext): Promise<void> {
    const action = context.activity.action;
    if (action === 'add') await this.onInstalled(context);
    else if (action === 'remove') await this.onRemoved(context);
  }

  private async onInstalled(context: TurnContext): Promise<void> {
    const place = placeOf(context);
    if (!place) return;
    const current = await this.deps.store.getChannelBinding();
    const installer = context.activity.from.aadObjectId ?? '';
    // A configured channel counts as bound: it is stored at start.
    if (!installTakesCards(current, await this.deps.directory.isApprover(installer))) {
      this.deps.logger.warn(
        {
          teamId: place.teamId,
          installer: installer || context.activity.from.id,
          boundTeamId: current?.teamId,
        },
        'app installed in a team by someone who is not an approver: the helpdesk channel stays where it is',
      );
      return;
    }
    await this.bind(context, place, current, 'installation');
  }

  private async onRemoved(context: TurnContext): Promise<void> {
    const place = placeOf(context);
    const current = await this.deps.store.getChannelBinding();
    if (!place || !current || current.teamId !== place.teamId) return;
    await this.deps.store.clearChannelBinding();
    this.deps.logger.warn(
      { teamId: place.teamId, channelId: current.channelId },
      'app removed from the helpdesk team: no channel is bound; cards wait until one is (install the app, or "bind here")',
    );
  }

  /** `bind here` by an approver; the answer for the person. */
  async bindByCommand(context: TurnContext): Promise<string> {
    if (!(await this.deps.directory.isApprover(context.activity.from.aadObjectId ?? '')))
      return 'Only helpdesk approvers can choose the channel for approval cards.';
    const place = placeOf(context);
    if (!place) return 'Use "bind here" in a team channel.';
    await this.bind(context, place, await this.deps.store.getChannelBinding(), 'command');
    return 'Approval cards will be posted in this channel from now on.';
  }

  private async bind(
    context: TurnContext,
    place: TeamsPlace,
    previous: ChannelBinding | undefined,
    how: 'installation' | 'command',
  ): Promise<void> {
    const by = context.activity.from.aadObjectId ?? context.activity.from.id;
    await this.deps.store.saveChannelBinding({
      teamId: place.teamId,
      channelId: place.channelId,
      conversationReference: TurnContext.getConversationReference(context.activity),
      boundBy: how === 'installation' ? `installation by ${by}` : by,
      boundAt: new Date().toISOString(),
    });
    this.deps.logger.info(
      { teamId: place.teamId, channelId: place.channelId, how, by },
      'helpdesk channel bound',
    );
    if (previous && previous.channelId !== place.channelId) await this.announceMove(previous, place, context);
    this.deps.onBound(how);
  }

  private async announceMove(
    previous: ChannelBinding,
    place: TeamsPlace,
    context: TurnContext,
  ): Promise<void> {
    const who = context.activity.from.name ?? 'an approver';
    const where = place.teamName ? `a channel of the team ${place.teamName}` : 'another channel';
    try {
      await this.deps.announce(
        previous.conversationReference,
        `Approval cards are now posted in ${where} (moved by ${who}).`,
      );
    } catch (error) {
      this.deps.logger.warn(
        { err: describeError(error) },
        'could not tell the old helpdesk channel about the move',
      );
    }
  }
}
