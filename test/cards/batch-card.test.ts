import { describe, expect, it } from 'vitest';
import { renderBatchCard } from '../../cards/batch-card.js';
import {
  cardActivity,
  ENVELOPE_MARGIN_BYTES,
  fitsTeamsMessage,
  TEAMS_MESSAGE_LIMIT_BYTES,
  utf16Bytes,
} from '../../cards/card-size.js';
import type { ApprovalConfig } from '../../services/config/config.js';
import { batchProgress, decideBatch, type ImportBatch } from '../../services/domain/batch.js';
import type { ImportJob } from '../../services/domain/job.js';
import { approve } from '../../services/domain/transitions.js';
import { failStep, startStep } from '../../services/domain/step-transitions.js';
import type { Result } from '../../services/domain/result.js';
import { cardProblems, executeActions } from '../support/card-check.js';
import { submittedJob } from '../support/jobs.js';

const approvals: ApprovalConfig = {
  approverGroupIds: [],
  approverIds: [],
  groupTags: ['Standard', 'Kiosk'],
  defaultGroupTag: 'Standard',
  allowNoTag: false,
  ticketMaxLength: 200,
};
const t0 = new Date('2026-11-22T08:00:00Z');
const alice = { id: 'aad-alice', name: 'Alice Example' };
const v = <T>(r: Result<T>): T => {
  if (!r.ok) throw r.error;
  return r.value;
};

function batchOf(jobs: number, refused: number): { batch: ImportBatch; jobs: ImportJob[] } {
  const batch: ImportBatch = {
    id: 'b-1',
    createdAt: t0.toISOString(),
    submittedBy: { channel: 'batch', via: 'deploy' },
    rows: jobs + refused,
    alreadyOpen: 0,
    refused: Array.from({ length: refused }, (_, i) => ({
      line: i + 2,
      serialNumber: `<b>*S${i}*</b>`.padEnd(64, 'S'),
      reason: 'hardwareHash must be base64 of a 4K hardware hash (about 4,000 characters).',
      field: 'hardwareHash',
    })),
  };
  return {
    batch,
    jobs: Array.from({ length: jobs }, (_, i) =>
      submittedJob(t0, {
        batchId: batch.id,
        device: {
          serialNumber: `SER-${i}`.padEnd(64, '0'),
          manufacturer: i % 3 ? 'HP' : 'M'.repeat(128),
          model: `Model ${i % 7}`.padEnd(128, 'x'),
          requestedGroupTag: 'Kiosk',
        },
        flags: i % 2 ? ['already_registered'] : ['not_on_allow_list'],
      }),
    ),
  };
}

describe('the batch card', () => {
  it("fits Teams' 40 KB (UTF-16, whole activity) and parses cleanly for 500 devices and 500 refused rows, waiting and decided", () => {
    const { batch, jobs } = batchOf(500, 500);
    const decided = v(
      decideBatch(batch, {
        verb: 'approve',
        by: alice,
        at: t0.toISOString(),
        groupTag: 'Kiosk',
        comment: 'INC1',
      }),
    );
    const running = jobs.map((job, i) => {
      const approved = v(approve(job, { by: alice, at: t0, groupTag: 'Kiosk', comment: 'INC1' }));
      if (i % 2) return approved;
      const started = v(startStep(approved, 'check-registration', t0));
      return v(
        failStep(started, 'check-registration', t0, {
          step: 'check-registration',
          code: '808',
          name: 'ZtdDeviceAssignedToOtherTenant',
          advice: 'A'.repeat(400),
          retryable: true,
        }),
      );
    });
    for (const [b, js] of [
      [batch, jobs],
      [decided, running],
    ] as const) {
      const card = renderBatchCard(b, js, { approvals });
      expect(cardProblems(card)).toEqual([]);
      expect(utf16Bytes(cardActivity(card)) + ENVELOPE_MARGIN_BYTES).toBeLessThanOrEqual(
        TEAMS_MESSAGE_LIMIT_BYTES,
      );
    }
  });

  it('cuts its lists rather than grow past the limit, and says how many it left out', () => {
    const { batch, jobs } = batchOf(500, 500);
    const decided = v(
      decideBatch(batch, {
        verb: 'approve',
        by: alice,
        at: t0.toISOString(),
        groupTag: 'Kiosk',
        comment: 'INC1',
      }),
    );
    const failed = jobs.map((job) => {
      const approved = v(approve(job, { by: alice, at: t0, groupTag: 'Kiosk', comment: 'INC1' }));
      const started = v(startStep(approved, 'check-registration', t0));
      const advice = 'Ä'.repeat(2_000);
      return v(
        failStep(started, 'check-registration', t0, {
          step: 'check-registration',
          code: '808',
          name: 'ZtdDeviceAssignedToOtherTenant',
          advice,
          retryable: true,
        }),
      );
    });
    const card = renderBatchCard(decided, failed, { approvals });
    expect(fitsTeamsMessage(card)).toBe(true);
    const text = JSON.stringify(card);
    expect(text).toMatch(/…and 49[58] more failed devices\./);
  });

  it('offers Approve all and Reject all while waiting, with the CSV tag suggested and the flags counted', () => {
    const { batch, jobs } = batchOf(4, 2);
    const card = renderBatchCard(batch, jobs, { approvals });
    const text = JSON.stringify(card);
    expect(executeActions(card).map((a) => [a.title, a.data])).toEqual([
      ['Approve all', { batchId: 'b-1' }],
      ['Reject every device', { batchId: 'b-1' }],
    ]);
    expect(text).toContain('"value":"Kiosk"');
    expect(text).toContain('2 serial numbers are already registered in Autopilot.');
    expect(text).toContain('2 devices are not on the manufacturer or model allow-list.');
    expect(text).toContain('6 rows · 4 for approval · 2 refused');
    // Submitted text shows as typed: Markdown is escaped; HTML is not rendered in cards, so it stays as it is.
    expect(text).toContain('<b>\\\\*S0\\\\*</b>');
    expect(text).not.toContain('&lt;');
  });

  it('counts progress, names the models most common first, and knows the newest change', () => {
    const { batch, jobs } = batchOf(7, 0);
    const changed = { ...jobs[3]!, updatedAt: '2026-11-23T00:00:00.000Z' };
    const p = batchProgress(batch, [...jobs.slice(0, 3), changed, ...jobs.slice(4)]);
    expect(p.total).toBe(7);
    expect(p.byStatus.awaiting_approval).toBe(7);
    expect(p.version).toBe(changed.updatedAt);
    expect(p.models.map((m) => m.count)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(p.decideBy).toBe(jobs[0]!.approvalDeadline);
  });

  it('records one decision; a second is refused and names who decided', () => {
    const { batch } = batchOf(1, 0);
    const first = v(decideBatch(batch, { verb: 'reject', by: alice, at: t0.toISOString(), reason: 'No' }));
    const second = decideBatch(first, {
      verb: 'approve',
      by: { id: 'bob' },
      at: t0.toISOString(),
      groupTag: null,
      comment: 'x',
    });
    expect(second.ok).toBe(false);
    if (!second.ok) expect(second.error.message).toBe('This batch was already rejected by Alice Example.');
  });
});
