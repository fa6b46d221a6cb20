/** Text commands, parsed once: what the person asked for, in which kind of conversation. */
import type { ReportTitle } from '../cards/summary-cards.js';

export type Command =
  | { kind: 'bind' }
  | { kind: 'pending' }
  | { kind: 'report'; period: ReportTitle }
  | { kind: 'export' }
  | { kind: 'lookup'; serial: string }
  | { kind: 'status'; query: string }
  | { kind: 'my-requests' }
  | { kind: 'help' };

export const HELP_CHANNEL = [
  'In the helpdesk channel:',
  '- **pending**: requests waiting for approval',
  '- **report** [days]: a summary of the last 7 (or the given number of) days; **report** _2026-11-01 2026-11-30_ for any period',
  '- **export**: how to take the job history out (CSV or JSON)',
  "- **lookup** _serial number_: the device's live Autopilot record and its latest request; approvers change its group tag, name or user, or deregister it, from that card",
  '- **bind here**: approvers only; post approval cards in this channel',
].join('\n');

export const HELP_PERSONAL = [
  'I register Windows devices with Autopilot once the helpdesk approves them, and tell you how it goes.',
  '- **status** _serial number or job id_: where a request stands',
  '- **my requests**: your recent requests',
  '- **pending**, **report** [days] and **lookup** _serial number_ (with changes and deregistration on its card): for helpdesk approvers',
].join('\n');

export function parseCommand(text: string, inChannel: boolean): Command {
  const words = text.trim().split(/\s+/);
  const verb = (words[0] ?? '').toLowerCase();
  const rest = words.slice(1).join(' ');
  if (inChannel && verb === 'bind' && rest.toLowerCase() === 'here') return { kind: 'bind' };
  // Also in personal chat, where they answer approvers only.
  if (verb === 'pending') return { kind: 'pending' };
  if (verb === 'export' && rest === '') return { kind: 'export' };
  if (verb === 'lookup' && rest !== '') return { kind: 'lookup', serial: rest.slice(0, 100) };
  if (verb === 'report') {
    const period = reportPeriod(words.slice(1));
    return period ? { kind: 'report', period } : { kind: 'help' };
  }
  if (!inChannel && verb === 'status' && rest !== '') return { kind: 'status', query: rest.slice(0, 100) };
  if (!inChannel && `${verb} ${rest}`.toLowerCase() === 'my requests') return { kind: 'my-requests' };
  return { kind: 'help' };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const isDay = (text: string) => {
  const date = new Date(`${text}T00:00:00Z`);
  return DAY.test(text) && !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
};
/** A report reads the whole period in one go: a year at most, as `report <days>`. */
const MAX_DAYS = 366;

/** `report`, `report 30` (1 to 366 days) or `report 2026-11-01 2026-11-30` (first and last day, UTC). */
function reportPeriod(args: string[]): ReportTitle | undefined {
  if (args.length === 0) return { days: 7 };
  if (args.length === 1) {
    const days = Number(args[0]);
    return Number.isInteger(days) && days >= 1 && days <= MAX_DAYS ? { days } : undefined;
  }
  const days = args.filter((a) => a.toLowerCase() !== 'to');
  const [firstDay = '', lastDay = ''] = days;
  if (days.length !== 2 || args.length > 3 || !isDay(firstDay) || !isDay(lastDay) || lastDay < firstDay)
    return undefined;
  const span = (Date.parse(lastDay) - Date.parse(firstDay)) / 86_400_000 + 1;
  return span <= MAX_DAYS ? { firstDay, lastDay } : undefined;
}
