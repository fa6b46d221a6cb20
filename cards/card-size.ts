/**
 * Teams refuses a bot message over 40 KB, measured over the whole activity encoded as UTF-16: 413
 * MessageSizeTooBig (Teams' message-size limits; 28 KB is the incoming-webhook limit, not the bot's). A card
 * is measured as the activity that carries it, with room kept for what Teams and the connector add around it.
 */
export const TEAMS_MESSAGE_LIMIT_BYTES = 40 * 1024;
/** Ids, conversation, channelData, summary and the connector's own fields around the attachment. */
export const ENVELOPE_MARGIN_BYTES = 4 * 1024;

/** The size Teams counts: UTF-16 code units, two bytes each. */
export function utf16Bytes(value: unknown): number {
  return JSON.stringify(value).length * 2;
}

/** The card as the message activity that posts it. */
export function cardActivity(card: Record<string, unknown>) {
  return {
    type: 'message',
    summary: typeof card.fallbackText === 'string' ? card.fallbackText : '',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }],
  };
}

export function fitsTeamsMessage(card: Record<string, unknown>): boolean {
  return utf16Bytes(cardActivity(card)) + ENVELOPE_MARGIN_BYTES <= TEAMS_MESSAGE_LIMIT_BYTES;
}
