/** The report card: Teams' charts with fallbacks, escaped keys, capped sections, within a channel post. */
import { describe, expect, it } from 'vitest';
import { periodOf } from '../../bot/command-answers.js';
import { parseCommand } from '../../bot/commands.js';
import { fitsTeamsMessage } from '../../cards/card-size.js';
import { dayBuckets, renderReportCard } from '../../cards/summary-cards.js';
import { emptyOutcomes, type BreakdownRow, type ReportFigures } from '../../services/reports/figures.js';
import { cardProblems } from '../support/card-check.js';

const period = { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' };

function row(key: string, total: number): BreakdownRow {
  return { key, total, outcomes: { ...emptyOutcomes(), imported: total - 1, failed: 1 } };
}

function figures(overrides: Partial<ReportFigures> = {}): ReportFigures {
  return {
    period,
    total: 120,
    outcomes: {
      imported: 80,
      already_registered: 10,
      changed: 0,
      failed: 12,
      rejected: 8,
      expired: 4,
      open: 6,
    },
    breakdowns: {
      tag: [row('Sales', 70), row('Lab', 50)],
      source: [row('deploy-tool', 100), row('**lab** [co](https://x.example)', 20)],
      model: [row('Dell Inc. Latitude 7440', 120)],
      failure: [{ key: '808 ZtdDeviceAssignedToOtherTenant', total: 12, outcomes: emptyOutcomes() }],
    },
    perDay: [
      { day: '2026-11-02', count: 70 },
      { day: '2026-11-20', count: 50 },
    ],
    decisionsByApprover: [{ approver: 'Alex Wilber', approved: 100, rejected: 8 }],
    timeToApprove: { count: 110, p50: 20 * 60_000, p90: 3 * 3_600_000, p99: 30 * 3_600_000 },
    ...overrides,
  };
}

const text = (card: unknown) => JSON.stringify(card);

function elements(card: unknown, type: string): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const r = node as Record<string, unknown>;
      if (r.type === type) found.push(r);
      Object.values(r).forEach(walk);
    }
  };
  walk(card);
  return found;
}

describe('the report card', () => {
  it('draws the outcome split and requests per day with the charts Teams renders, with fallbacks', () => {
    const card = renderReportCard(figures(), { firstDay: '2026-11-01', lastDay: '2026-11-30' });
    expect(cardProblems(card)).toEqual([]);
    const [donut] = elements(card, 'Chart.Donut');
    expect(donut?.data).toEqual([
      { legend: 'Imported', value: 80 },
      { legend: 'Already registered', value: 10 },
      { legend: 'Failed', value: 12 },
      { legend: 'Rejected', value: 8 },
      { legend: 'Expired', value: 4 },
      { legend: 'Still open', value: 6 },
    ]);
    const [bars] = elements(card, 'Chart.VerticalBar');
    const data = bars?.data as { x: string; y: number }[];
    // Every day of November has a bar, the empty ones at zero.
    expect(data).toHaveLength(30);
    expect(data[1]).toEqual({ x: '11-02', y: 70 });
    expect(data.reduce((sum, d) => sum + d.y, 0)).toBe(120);
    expect(bars?.fallback).toMatchObject({
      type: 'TextBlock',
      text: 'Busiest day: 2026-11-02 (70 requests)',
    });
    expect(text(card)).toContain('median 20 min 0 s · p90 3 h 0 min · p99 30 h 0 min (110)');
    expect(text(card)).toContain('none completed');
    expect(text(card)).toContain('Autopilot approvals: 2026-11-01 to 2026-11-30');
    // Keys come from submitters: their Markdown is escaped like any other card text (cards/escape.ts).
    expect(text(card)).not.toContain('**lab**');
    expect(text(card)).toContain(String.raw`\\*\\*lab\\*\\* \\[co\\](https://x.example)`);
  });

  it('draws a long period in buckets of days, and an empty one without charts', () => {
    const year = { from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' };
    const buckets = dayBuckets(figures({ period: year }));
    expect(buckets.bucketDays).toBe(12);
    expect(buckets.bars.length).toBeLessThanOrEqual(31);
    expect(buckets.bars.reduce((sum, b) => sum + b.y, 0)).toBe(120);
    const empty = renderReportCard(
      figures({
        total: 0,
        outcomes: emptyOutcomes(),
        perDay: [],
        breakdowns: { tag: [], source: [], model: [], failure: [] },
        decisionsByApprover: [],
      }),
      { days: 7 },
    );
    expect(cardProblems(empty)).toEqual([]);
    expect(elements(empty, 'Chart.Donut')).toEqual([]);
    expect(elements(empty, 'Chart.VerticalBar')).toEqual([]);
  });

  it('caps each section and still fits a Teams message with many long keys', () => {
    const many = (prefix: string) =>
      Array.from({ length: 400 }, (_, i) => row(`${prefix}-${i}-${'x'.repeat(100)}`, 400 - i));
    const card = renderReportCard(
      figures({
        breakdowns: { tag: many('tag'), source: many('src'), model: many('model'), failure: many('fail') },
        decisionsByApprover: Array.from({ length: 200 }, (_, i) => ({
          approver: `Approver ${i} ${'y'.repeat(60)}`,
          approved: 1,
          rejected: 0,
        })),
      }),
      { days: 366 },
    );
    expect(cardProblems(card)).toEqual([]);
    expect(fitsTeamsMessage(card)).toBe(true);
    expect(text(card)).toContain('…and 395 more.');
    expect(text(card)).toContain('…and 190 more.');
  });
});

describe('the report command', () => {
  it('takes a number of days or a first and last day, and refuses anything else', () => {
    expect(parseCommand('report', true)).toEqual({ kind: 'report', period: { days: 7 } });
    expect(parseCommand('report 30', true)).toEqual({ kind: 'report', period: { days: 30 } });
    expect(parseCommand('report 2026-11-01 2026-11-30', true)).toEqual({
      kind: 'report',
      period: { firstDay: '2026-11-01', lastDay: '2026-11-30' },
    });
    expect(parseCommand('report 2026-11-01 to 2026-11-30', true)).toMatchObject({ kind: 'report' });
    for (const bad of [
      'report 0',
      'report 400',
      'report 2026-02-30 2026-03-01',
      'report 2026-13-01 2026-12-31',
      'report 2026-11-30 2026-11-01',
      'report 2026-11-01 2026-11-30 junk',
      'report 2020-01-01 2026-11-30',
    ])
      expect(parseCommand(bad, true), bad).toEqual({ kind: 'help' });
  });

  it('covers whole UTC days from the first to the last, or the last N days up to now', () => {
    expect(periodOf({ firstDay: '2026-11-01', lastDay: '2026-11-30' }, new Date())).toEqual(period);
    const now = new Date('2026-12-02T12:00:00.000Z');
    expect(periodOf({ days: 7 }, now)).toEqual({ from: '2026-11-25T12:00:00.000Z', to: now.toISOString() });
  });
});
