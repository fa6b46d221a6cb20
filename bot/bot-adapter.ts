/** botbuilder's CloudAdapter with Bot Framework authentication from configuration. */
import { randomUUID } from 'node:crypto';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import type { BotConfig } from '../services/config/config.js';
import { describeError } from '../services/errors.js';
import type { Logger } from '../services/logging/logger.js';

export function createAdapter(bot: BotConfig, logger: Logger): CloudAdapter {
  const authentication = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: bot.appId,
    MicrosoftAppPassword: bot.appPassword ?? '',
    // Without an app id (local use only; production refuses it) authentication is off and there is no type.
    ...(bot.appId ? { MicrosoftAppType: bot.appType, MicrosoftAppTenantId: bot.tenantId ?? '' } : {}),
    ...(bot.openIdMetadataUrl ? { ToBotFromChannelOpenIdMetadataUrl: bot.openIdMetadataUrl } : {}),
  });
  const adapter = new CloudAdapter(authentication);
  adapter.onTurnError = async (context, error) => {
    // The person sees a safe message with a reference; the log has the details under the same reference.
    const correlationId = randomUUID();
    logger.error(
      { correlationId, err: describeError(error), activityType: context.activity.type },
      'bot turn failed',
    );
    if (context.activity.type === 'message') {
      await context.sendActivity(
        `Something went wrong on our side. Please try again (reference ${correlationId}).`,
      );
    }
  };
  return adapter;
}
