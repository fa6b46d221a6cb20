/**
 * Reminders for requests that wait: a reply in the card's thread once a request has waited REMINDER_HOURS, a
 * warning on the card once its deadline is within EXPIRY_WARNING_HOURS, and one digest card a day of everything
 * waiting, at DIGEST_HOUR in DIGEST_TIME_ZONE. Each is marked on the job (or a timed slot) with a conditional write
 * before it is sent, so that however many instances run, it goes out at most once. Pure rules here; housekeeping
 * does the I/O.
 */
import type { ImportJob } from '../domain/job.js';

export interface ReminderSettings {
  /** 0: no reminders. */
  reminderMs: number;
  /** 0: no expiry warning. */
  expiryWarningMs: number;
  /** Undefined: no digest. */
  digest?: { hour: number; timeZone: string };
}

/** Where reminders go: the helpdesk channel, implemented by the bot. */
export interface ReminderSender {
  /** A reply in the thread of the job's card; false when the job has no card yet. */
  remind(job: ImportJob, text: string): Promise<boolean>;
  /** A new digest card in the bound channel: the oldest waiting requests and how many wait in all. */
  digest(page: { jobs: readonly ImportJob[]; total: number }, now: Date): Promise<void>;
}

export function reminderDue(job: ImportJob, now: Date, settings: ReminderSettings): boolean {
  return (
    settings.reminderMs > 0 &&
    job.status === 'awaiting_approval' &&
    !job.reminders?.remindedAt &&
    now.getTime() - Date.parse(job.createdAt) >= settings.reminderMs &&
    now.toISOString() < job.approvalDeadline
  );
}

export function expiryWarningDue(job: ImportJob, now: Date, settings: ReminderSettings): boolean {
  return (
    settings.expiryWarningMs > 0 &&
    job.status === 'awaiting_approval' &&
    !job.reminders?.expiryWarnedAt &&
    Date.parse(job.approvalDeadline) - now.getTime() <= settings.expiryWarningMs &&
    now.toISOString() < job.approvalDeadline
  );
}

/** Marks the reminder given; the expiry warning changes the card, so it counts as a change of the job. */
export function markReminded(job: ImportJob, now: Date, what: 'remindedAt' | 'expiryWarnedAt'): ImportJob {
  const reminders = { ...job.reminders, [what]: now.toISOString() };
  return what === 'expiryWarnedAt'
    ? { ...job, reminders, updatedAt: now.toISOString() }
    : { ...job, reminders };
}

/** The reply in the card's thread. */
export function reminderText(job: ImportJob, now: Date): string {
  const hours = Math.floor((now.getTime() - Date.parse(job.createdAt)) / 3_600_000);
  const waiting = job.firstApproval ? 'for a second approver' : 'for approval';
  const what = job.batchId ? 'this batch' : 'this request';
  return `Reminder: ${what} has waited ${waiting} for ${hours} hours. It expires at ${job.approvalDeadline.slice(0, 16).replace('T', ' ')} UTC unless someone decides.`;
}

/** The hour of the day at `now` in the time zone (0 to 23). */
export function hourIn(now: Date, timeZone: string): number {
  const text = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(now);
  return Number(text);
}

export function digestDue(now: Date, settings: ReminderSettings): boolean {
  return settings.digest !== undefined && hourIn(now, settings.digest.timeZone) === settings.digest.hour;
}

/** The digest's timed slot: taken at most once in this long, so once a day within its hour. */
export const DIGEST_SLOT = { name: 'daily-digest', intervalMs: 20 * 3_600_000 } as const;
