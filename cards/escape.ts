/**
 * Text from submitters and approvers goes on a card as text, never as markup, escaped per property:
 * - TextBlock `text` and FactSet values take Teams' Markdown subset, so only what that subset would act on is
 *   escaped: `\ [ ] * _` and backticks anywhere, and a list or heading marker at the start of a line. HTML is not
 *   rendered in Adaptive Cards and a mention needs an `msteams.entities` entry, so `<`, `>` and `&` stay as typed
 *   (an entity would show literally on mobile, as would a needless backslash).
 * - Plain-text properties (input placeholders, choice titles, labels, error messages), plain-text messages and
 *   TextRuns show backslashes literally: nothing is escaped there; only control characters are taken out. Free
 *   text (a ticket, a rejection reason) goes in a RichTextBlock's TextRun, which takes no Markdown (Adaptive
 *   Cards' text features page): clients differ in how they treat HTML and entities in Markdown text (the
 *   Agents Playground strips tags and decodes entities; Teams mobile escapes `&`), a TextRun shows it as typed.
 */
const NO_CONTROLS = /[\p{Cc}\p{Cf}]/gu;
const MARKDOWN_ANYWHERE = /[\\`*_[\]]/g;
/** `# heading`, `> quote`, `- item`, `+ item`, `1. item` at the start of a line. */
const LINE_MARKER = /^(\s*)(#{1,6}|>|[-+]|\d+\.)(?=\s|$)/gm;

/** For Markdown-bearing properties: TextBlock text, FactSet values. */
export function escapeCardText(value: string): string {
  return value
    .replace(/[\p{Cc}\p{Cf}]/gu, (c) => (c === '\n' ? '\n' : ' '))
    .replace(MARKDOWN_ANYWHERE, (c) => `\\${c}`)
    .replace(LINE_MARKER, (_all, space: string, marker: string) => `${space}\\${marker}`);
}

/** For plain-text properties and plain-text messages: as typed, control characters taken out. */
export function plainText(value: string): string {
  return value.replace(NO_CONTROLS, ' ');
}
