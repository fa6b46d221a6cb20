/** botbuilder's CloudAdapter with Bot Framework authentication from configuration. */
import { randomUUID } from 'node:crypto';
import { CallerIdConstants, CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import {
  AuthenticationConstants,
  AuthenticationError,
  type AuthenticateRequestResult,
} from 'botframework-connector';
import type { Activity, InvokeResponse, TurnContext } from 'botbuilder';
import type { BotConfig } from '../services/config/config.js';
import { describeError } from '../services/errors.js';
import type { Logger } from '../services/logging/logger.js';

/**
 * Overriding one Bot Framework endpoint makes botbuilder take every other one as given, so the public-cloud
 * values are spelled out beside the override (tests serve their own signing keys this way).
 */
function publicCloudWith(openIdMetadataUrl: string) {
  return {
    ToBotFromChannelOpenIdMetadataUrl: openIdMetadataUrl,
    ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
    ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    OAuthUrl: AuthenticationConstants.OAuthUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
    CallerId: CallerIdConstants.PublicAzureChannel,
    ValidateAuthority: true,
  };
}

/** Token-library failures (bad signature, not yet valid, expired) are authentication failures: 401, not 500. */
const TOKEN_ERRORS = new Set(['JsonWebTokenError', 'NotBeforeError', 'TokenExpiredError']);

class StrictAuthentication extends ConfigurationBotFrameworkAuthentication {
  override async authenticateRequest(
    activity: Activity,
    authHeader: string,
  ): Promise<AuthenticateRequestResult> {
    try {
      return await super.authenticateRequest(activity, authHeader);
    } catch (error) {
      if (error instanceof Error && TOKEN_ERRORS.has(error.name))
        throw new AuthenticationError(`Unauthorized: ${error.message}`, 401);
      throw error;
    }
  }
}

/**
 * CloudAdapter with its activity processing open to the route, which reads the body itself (JSON only, limited)
 * and answers authentication failures without CloudAdapter.process's console stack trace.
 */
export class BotAdapter extends CloudAdapter {
  handleActivity(
    authHeader: string,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    return this.processActivity(authHeader, activity, logic);
  }
}

export function createAdapter(bot: BotConfig, logger: Logger): BotAdapter {
  const authentication = new StrictAuthentication({
    MicrosoftAppId: bot.appId,
    MicrosoftAppPassword: bot.appPassword ?? '',
    // Without an app id (local use only; production refuses it) authentication is off and there is no type.
    ...(bot.appId ? { MicrosoftAppType: bot.appType, MicrosoftAppTenantId: bot.tenantId ?? '' } : {}),
    ...(bot.openIdMetadataUrl ? publicCloudWith(bot.openIdMetadataUrl) : {}),
  });
  const adapter = new BotAdapter(authentication);
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
