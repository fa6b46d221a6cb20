/** A helpdesk channel given by configuration: stored as the binding at start, unless one is bound already. */
import type { BotConfig } from '../services/config/config.js';
import type { JobStore } from '../services/store/job-store.js';

export async function bindConfiguredChannel(
  store: JobStore,
  bot: BotConfig,
  botAppId: string,
): Promise<boolean> {
  if (!bot.channel || (await store.getChannelBinding())) return false;
  const { teamId, channelId, serviceUrl } = bot.channel;
  await store.saveChannelBinding({
    teamId,
    channelId,
    conversationReference: {
      channelId: 'msteams',
      serviceUrl,
      bot: { id: `28:${botAppId}` },
      conversation: {
        id: channelId,
        conversationType: 'channel',
        isGroup: true,
        ...(bot.tenantId ? { tenantId: bot.tenantId } : {}),
      },
    },
    boundBy: 'configuration',
    boundAt: new Date().toISOString(),
  });
  return true;
}
