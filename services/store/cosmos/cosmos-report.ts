/**
 * The report's figures from Cosmos DB: one query over the period (the createdAt range index bounds it) that
 * projects the dozen small fields a report reads, read page by page into the report accumulator. Cosmos DB's SQL
 * has no percentile function, and the local server the contract suite runs against takes neither GROUP BY nor
 * OFFSET, so the grouping happens here, over projected rows: memory holds the distinct keys and two numbers per
 * job, never a document, and the request charge is one scan of the period's index entries and fields.
 */
import type { Container, SqlQuerySpec } from '@azure/cosmos';
import { ReportAccumulator, type ReportRow } from '../../reports/accumulator.js';
import type { ReportFigures, ReportPeriod } from '../../reports/figures.js';
import { cosmosCall } from './cosmos-call.js';

const PAGE = 1000;

/** `by` is a keyword of Cosmos DB's SQL (ORDER BY), so that property is read with brackets. */
export function reportQuery(period: ReportPeriod): SqlQuerySpec {
  return {
    query: `SELECT c.status, c.outcome, c.createdAt, c.updatedAt, c.submittedBy.via AS via,
        c.device.manufacturer AS manufacturer, c.device.model AS model,
        c.approval.at AS approvedAt, c.approval.groupTag AS approvedTag,
        c.approval["by"].name AS approverName, c.approval["by"].id AS approverId,
        c.rejection["by"].name AS rejecterName, c.rejection["by"].id AS rejecterId,
        c.error.code AS errorCode, c.error.name AS errorName
      FROM c WHERE c.type = 'job' AND c.createdAt >= @from AND c.createdAt < @to`,
    parameters: [
      { name: '@from', value: period.from },
      { name: '@to', value: period.to },
    ],
  };
}

interface ProjectedRow extends Omit<ReportRow, 'approver' | 'rejecter'> {
  approverName?: string;
  approverId?: string;
  rejecterName?: string;
  rejecterId?: string;
}

export async function cosmosReport(container: Container, period: ReportPeriod): Promise<ReportFigures> {
  const accumulator = new ReportAccumulator(period);
  const pages = container.items.query<ProjectedRow>(reportQuery(period), { maxItemCount: PAGE });
  while (pages.hasMoreResults()) {
    const { resources } = await cosmosCall('the report', 'report', () => pages.fetchNext());
    for (const row of resources) {
      // A projected `groupTag: null` comes back as null; an absent approval leaves approvedAt undefined.
      accumulator.add({
        ...row,
        approver: row.approverName ?? row.approverId ?? null,
        approverId: row.approverId ?? null,
        rejecter: row.rejecterName ?? row.rejecterId ?? null,
      });
    }
  }
  return accumulator.figures();
}
