/**
 * Reminders in the helpdesk channel: a reply in a waiting request's card thread, and the daily digest card as a
 * new post. Both count against the channel's send budget like any card (send-budget.ts), after the cards that
 * wait for a first post or a final state.
 */
import { MessageFactory, type CloudAdapter } from 'botbuilder';
import { renderDigestCard } from '../cards/summary-cards.js';
import type { ImportJob } from '../services/domain/job.js';
import type { ReminderSender } from '../services/pipeline/reminders.js';
import type { CardAddress, JobStore } from '../services/store/job-store.js';
import type { SendBudget } from './send-budget.js';
import { sendInConversation, TeamsCardSender } from './teams-card-sender.js';

/** A card's thread: the channel conversation with `;messageid=` and the card's id (Teams' reply address). */
export function threadReference(address: CardAddress): Record<string, unknown> {
  const reference = address.conversationReference as { conversation?: { id?: string } };
  const id = reference.conversation?.id ?? '';
  const channel = id.includes(';messageid=') ? id.slice(0, id.indexOf(';messageid=')) : id;
  return {
    ...address.conversationReference,
    conversation: { ...reference.conversation, id: `${channel};messageid=${address.activityId}` },
  };
}

export class TeamsReminderSender implements ReminderSender {
  private readonly cards: TeamsCardSender;

  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
    private readonly store: JobStore,
    private readonly budgets: readonly SendBudget[],
  ) {
    this.cards = new TeamsCardSender(adapter, botAppId, store);
  }

  async remind(job: ImportJob, text: string): Promise<boolean> {
    const address = await this.store.getCardAddress(job.batchId ? `batch:${job.batchId}` : job.id);
    if (!address) return false;
    await this.withBudget(() =>
      sendInConversation(this.adapter, this.botAppId, threadReference(address), async (context) => {
        await context.sendActivity(MessageFactory.text(text));
      }),
    );
    return true;
  }

  async digest(page: { jobs: readonly ImportJob[]; total: number }, now: Date): Promise<void> {
    await this.withBudget(async () => {
      await this.cards.post(renderDigestCard(page, now));
    });
  }

  private async withBudget(send: () => Promise<void>): Promise<void> {
    const settles = [];
    for (const budget of this.budgets) settles.push(await budget.acquire('update'));
    try {
      await send();
    } finally {
      for (const settle of settles) settle();
    }
  }
}
