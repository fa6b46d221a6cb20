/**
 * Text from submitters and approvers goes on the card as text, never as markup: characters that Teams'
 * markdown or HTML would act on are escaped, so no link, emphasis, heading or mention can be injected.
 */
const MARKDOWN = /[\\`*_{}[\]()#+\-.!|>~]/g;

export function escapeCardText(value: string): string {
  return value
    .replace(/[\p{Cc}\p{Cf}]/gu, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(MARKDOWN, (c) => `\\${c}`);
}
