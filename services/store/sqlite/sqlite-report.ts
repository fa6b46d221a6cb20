/**
 * The report's figures in SQL: GROUP BY for the counts and breakdowns, and ORDER BY … LIMIT 1 OFFSET rank for
 * each percentile, over the jobs created in the period (the created_at index bounds the scan), in one transaction,
 * so that the figures agree with each other however busy the writers are. No document leaves SQLite.
 */
import type Database from 'better-sqlite3';
import {
  emptyOutcomes,
  NO_TAG_LABEL,
  NOT_APPROVED,
  OUTCOME_KEYS,
  percentileOffsets,
  sortApprovers,
  sortRows,
  type BreakdownName,
  type BreakdownRow,
  type OutcomeKey,
  type Percentiles,
  type ReportFigures,
  type ReportPeriod,
} from '../../reports/figures.js';
import { RULE_PREFIX } from '../../policy/policy.js';

const OUTCOME = `CASE
  WHEN status = 'completed' AND json_extract(doc, '$.outcome') = 'already_registered' THEN 'already_registered'
  WHEN status = 'completed' AND json_extract(doc, '$.outcome') IN ('changed', 'deregistered') THEN 'changed'
  WHEN status = 'completed' THEN 'imported'
  WHEN status IN ('awaiting_approval', 'approved', 'running') THEN 'open'
  ELSE status END`;

const APPROVED = `json_type(doc, '$.approval') IS NOT NULL`;
const MS_BETWEEN = (from: string, to: string) =>
  `CAST(round((julianday(${to}) - julianday(${from})) * 86400000.0) AS INTEGER)`;

/**
 * One pass over the period's documents extracts every field the report reads into a private temporary table
 * (JSON is parsed once per job, not once per figure); the figures are then GROUP BYs and seeks over that table.
 */
const EXTRACT = `INSERT INTO temp.report_rows
  SELECT
    ${OUTCOME},
    CASE WHEN ${APPROVED} THEN COALESCE(json_extract(doc, '$.approval.groupTag'), '${NO_TAG_LABEL}')
      ELSE '${NOT_APPROVED}' END,
    json_extract(doc, '$.submittedBy.via'),
    json_extract(doc, '$.device.manufacturer') || ' ' || json_extract(doc, '$.device.model'),
    CASE WHEN status = 'failed' THEN COALESCE(json_extract(doc, '$.error.code'), '?') || ' '
      || COALESCE(json_extract(doc, '$.error.name'), 'unknown') END,
    substr(created_at, 1, 10),
    CASE WHEN ${APPROVED}
      THEN COALESCE(json_extract(doc, '$.approval.by.name'), json_extract(doc, '$.approval.by.id'))
      ELSE COALESCE(json_extract(doc, '$.rejection.by.name'), json_extract(doc, '$.rejection.by.id')) END,
    CASE WHEN ${APPROVED} THEN 1 ELSE 0 END,
    CASE WHEN ${APPROVED} AND json_extract(doc, '$.approval.by.id') NOT LIKE '${RULE_PREFIX}%'
      THEN ${MS_BETWEEN('created_at', `json_extract(doc, '$.approval.at')`)} END,
    CASE WHEN ${APPROVED} AND status = 'completed'
      THEN ${MS_BETWEEN(`json_extract(doc, '$.approval.at')`, 'updated_at')} END
  FROM jobs WHERE created_at >= @from AND created_at < @to`;

const TEMP_TABLE = `CREATE TEMP TABLE IF NOT EXISTS report_rows (
  outcome TEXT, tag TEXT, source TEXT, model TEXT, failure TEXT, day TEXT, decider TEXT,
  approved INTEGER, approve_ms INTEGER, complete_ms INTEGER)`;

export function sqliteReport(db: Database.Database, period: ReportPeriod): ReportFigures {
  const all = <T>(sql: string) => db.prepare(sql).all() as T[];

  const breakdown = (name: BreakdownName): BreakdownRow[] => {
    const rows = new Map<string, BreakdownRow>();
    for (const r of all<{ k: string; outcome: OutcomeKey; n: number }>(
      `SELECT ${name} AS k, outcome, COUNT(*) AS n FROM temp.report_rows WHERE ${name} IS NOT NULL
        GROUP BY k, outcome`,
    )) {
      const row = rows.get(r.k) ?? { key: r.k, total: 0, outcomes: emptyOutcomes() };
      row.total += r.n;
      row.outcomes[r.outcome] += r.n;
      rows.set(r.k, row);
    }
    return sortRows([...rows.values()]);
  };

  const percentiles = (column: 'approve_ms' | 'complete_ms'): Percentiles | undefined => {
    const { n } = db
      .prepare(`SELECT COUNT(*) AS n FROM temp.report_rows WHERE ${column} IS NOT NULL`)
      .get() as { n: number };
    if (n === 0) return undefined;
    const seek = db.prepare(
      `SELECT ${column} AS ms FROM temp.report_rows WHERE ${column} IS NOT NULL ORDER BY ms LIMIT 1 OFFSET ?`,
    );
    const at = (offset: number) => (seek.get(offset) as { ms: number }).ms;
    const offsets = percentileOffsets(n);
    return { count: n, p50: at(offsets.p50), p90: at(offsets.p90), p99: at(offsets.p99) };
  };

  db.exec(TEMP_TABLE);
  const read = db.transaction((): ReportFigures => {
    db.exec('DELETE FROM temp.report_rows');
    db.prepare(EXTRACT).run({ from: period.from, to: period.to });
    const outcomes = emptyOutcomes();
    for (const r of all<{ outcome: OutcomeKey; n: number }>(
      'SELECT outcome, COUNT(*) AS n FROM temp.report_rows GROUP BY outcome',
    ))
      if (OUTCOME_KEYS.includes(r.outcome)) outcomes[r.outcome] += r.n;
    const deciders = all<{ approver: string; approved: number; rejected: number }>(
      `SELECT decider AS approver, SUM(approved) AS approved, SUM(1 - approved) AS rejected
        FROM temp.report_rows WHERE decider IS NOT NULL GROUP BY decider`,
    );
    const timeToApprove = percentiles('approve_ms');
    const timeToComplete = percentiles('complete_ms');
    const figures: ReportFigures = {
      period,
      total: Object.values(outcomes).reduce((a, b) => a + b, 0),
      outcomes,
      breakdowns: {
        tag: breakdown('tag'),
        source: breakdown('source'),
        model: breakdown('model'),
        failure: breakdown('failure'),
      },
      perDay: all<{ day: string; count: number }>(
        'SELECT day, COUNT(*) AS count FROM temp.report_rows GROUP BY day ORDER BY day',
      ),
      decisionsByApprover: sortApprovers(deciders),
      ...(timeToApprove ? { timeToApprove } : {}),
      ...(timeToComplete ? { timeToComplete } : {}),
    };
    db.exec('DELETE FROM temp.report_rows');
    return figures;
  });
  return read.deferred();
}
