import { describe, expect, it } from 'vitest';
import { fitsTeamsMessage } from '../../cards/card-size.js';
import { renderJobCard } from '../../cards/job-card.js';
import { CARD_VERBS } from '../../cards/verbs.js';
import type { ApprovalConfig } from '../../services/config/config.js';
import { REGISTRATION_STEPS, type ImportJob } from '../../services/domain/job.js';
import { approve, expire, reject } from '../../services/domain/transitions.js';
import {
  completeAlreadyRegistered,
  failStep,
  finishStep,
  startStep,
} from '../../services/domain/step-transitions.js';
import type { Result } from '../../services/domain/result.js';
import { cardProblems, executeActions } from '../support/card-check.js';
import { submittedJob } from '../support/jobs.js';

const approvals: ApprovalConfig = {
  approverGroupIds: [],
  approverIds: [],
  groupTags: ['Standard', 'Kiosk', 'Shared'],
  defaultGroupTag: 'Standard',
  allowNoTag: true,
  ticketMaxLength: 200,
};
const t0 = new Date('2026-11-22T08:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const alice = { id: 'aad-alice', name: 'Alice Example' };
const v = <T>(r: Result<T>): T => {
  if (!r.ok) throw r.error;
  return r.value;
};

function largest(): ImportJob {
  return submittedJob(t0, {
    device: {
      serialNumber: 'S'.repeat(64),
      manufacturer: 'M'.repeat(128),
      model: 'X'.repeat(128),
      assignedUser: `${'u'.repeat(60)}@contoso.example`,
    },
    submittedBy: { channel: 'batch', via: 'v'.repeat(60), requestedBy: `${'r'.repeat(60)}@contoso.example` },
    flags: ['already_registered', 'not_on_allow_list', 'duplicate_request'],
  });
}

function states(): [string, ImportJob][] {
  const waiting = largest();
  const approved = v(
    approve(waiting, { by: alice, at: at(60), groupTag: 'Kiosk', comment: 'INC0012345 '.repeat(18) }),
  );
  let running = approved;
  // The steps before await-autopilot-device (wherever the upload record's clean-up sits in the list).
  const before = REGISTRATION_STEPS.slice(0, REGISTRATION_STEPS.indexOf('await-autopilot-device'));
  for (const [i, step] of before.entries())
    running = v(finishStep(v(startStep(running, step, at(70 + i))), step, at(80 + i)));
  running = v(startStep(running, 'await-autopilot-device', at(90)));
  let completed = approved;
  for (const step of REGISTRATION_STEPS)
    completed = v(finishStep(v(startStep(completed, step, at(100))), step, at(160)));
  const already = v(
    completeAlreadyRegistered(
      v(startStep(approved, 'check-registration', at(70))),
      'check-registration',
      at(71),
      { existingGroupTag: 'Lab' },
    ),
  );
  const error = {
    step: 'await-autopilot-device' as const,
    code: 'Timeout',
    name: 'await-autopilot-device-timed-out',
    advice: 'A'.repeat(400),
    retryable: true,
  };
  const failedRetryable = v(failStep(running, 'await-autopilot-device', at(120), error));
  const failedPermanent = v(
    failStep(running, 'await-autopilot-device', at(120), {
      ...error,
      code: '808',
      name: 'ZtdDeviceAssignedToOtherTenant',
      retryable: false,
    }),
  );
  const rejected = v(reject(waiting, { by: alice, at: at(30), reason: 'R'.repeat(500) }));
  const expired = v(expire(waiting, at(4 * 86_400)));
  return [
    ['awaiting approval', waiting],
    ['approved', approved],
    ['running', running],
    ['completed', completed],
    ['already registered', already],
    ['failed, retryable', failedRetryable],
    ['failed, permanent', failedPermanent],
    ['rejected', rejected],
    ['expired', expired],
  ];
}

describe('job card', () => {
  it.each(states())(
    "parses cleanly, fits Teams' 40 KB (UTF-16, whole activity) and holds no hash when %s",
    (_name, job) => {
      const card = renderJobCard(job, {
        approvals,
        problems: [{ input: 'comment', message: 'Enter the ticket or a comment.' }],
        notice: 'N'.repeat(200),
        now: at(200),
      });
      expect(cardProblems(card)).toEqual([]);
      const json = JSON.stringify(card);
      expect(fitsTeamsMessage(card)).toBe(true);
      expect(json).not.toContain(largest().hardwareHash?.slice(0, 32));
      expect(json).not.toContain('${');
    },
  );

  it('offers approve (with tag and ticket) and reject (with reason) while awaiting approval, carrying only the job id', () => {
    const job = largest();
    const card = renderJobCard(job, { approvals });
    const actions = executeActions(card);
    expect(actions.map((a) => a.verb)).toEqual([CARD_VERBS.approve, CARD_VERBS.reject]);
    expect(actions.every((a) => JSON.stringify(a.data) === JSON.stringify({ jobId: job.id }))).toBe(true);
    const json = JSON.stringify(card);
    expect(json).toContain('"id":"groupTag"');
    expect(json).toContain('"value":"Standard"');
    expect(json).toContain('"title":"No tag"');
    expect(json).toContain('"maxLength":200');
    expect(json).toContain('This serial number is already registered in Autopilot.');
  });

  it('preselects the tag the submitter suggested when it is a configured tag', () => {
    const job = submittedJob(t0, {
      device: { serialNumber: 'S1', manufacturer: 'HP', model: 'X', requestedGroupTag: 'Kiosk' },
    });
    expect(JSON.stringify(renderJobCard(job, { approvals }))).toContain('"value":"Kiosk","choices"');
  });

  it('shows the step checklist with durations, the approver, tag and ticket once approved, and no inputs', () => {
    const running = states().find(([n]) => n === 'running')?.[1] as ImportJob;
    const json = JSON.stringify(renderJobCard(running, { approvals, now: at(100) }));
    expect(json).toContain('Importing: Wait for the Autopilot device');
    expect(json).toContain('✅');
    expect(json).toContain('10 s so far');
    expect(json).toContain('Alice Example');
    expect(json).toContain('"value":"Kiosk"');
    expect(executeActions(renderJobCard(running, { approvals }))).toEqual([]);
  });

  it('shows a failure with code, name and advice, and Retry only when retrying can help', () => {
    const all = Object.fromEntries(states());
    const retryable = renderJobCard(all['failed, retryable'] as ImportJob, { approvals });
    expect(JSON.stringify(retryable)).toContain('Timeout await-autopilot-device-timed-out');
    expect(executeActions(retryable).map((a) => a.verb)).toEqual([CARD_VERBS.retry]);
    expect(executeActions(renderJobCard(all['failed, permanent'] as ImportJob, { approvals }))).toEqual([]);
  });

  it('shows a warning a finished step left, on the completed card', () => {
    const completed = states().find(([n]) => n === 'completed')?.[1] as ImportJob;
    const warned = {
      ...completed,
      steps: completed.steps.map((s) =>
        s.name === 'assign-user'
          ? { ...s, warning: 'The user ada@contoso.example could not be assigned.' }
          : s,
      ),
    };
    const card = renderJobCard(warned, { approvals });
    expect(cardProblems(card)).toEqual([]);
    expect(JSON.stringify(card)).toContain('⚠ The user ada@contoso.example could not be assigned.');
    expect(JSON.stringify(renderJobCard(completed, { approvals }))).not.toContain('⚠');
  });

  it('says rejected (who and why) and expired', () => {
    const all = Object.fromEntries(states());
    expect(JSON.stringify(renderJobCard(all.rejected as ImportJob, { approvals }))).toMatch(
      /"Rejected".*"Rejected by".*Alice Example/,
    );
    expect(JSON.stringify(renderJobCard(all.expired as ImportJob, { approvals }))).toContain(
      'Expired: nobody decided before the deadline',
    );
  });

  it('shows text as typed: free text in TextRuns unescaped, Markdown escaped in facts, plain-text properties as they are', () => {
    const hostile =
      '[click me](https://evil.example) **urgent** _x_ `code` C:\\temp <b>bold</b> <at>Everyone</at> &amp; AT&T';
    const job = v(
      approve(submittedJob(t0), {
        by: { id: 'x', name: '# [Boss](https://evil.example) **x**' },
        at: at(1),
        groupTag: 'Kiosk',
        comment: hostile,
      }),
    );
    const card = renderJobCard(job, { approvals });
    // The ticket is free text: a TextRun, which no client reads as Markdown or HTML, gets it exactly as typed.
    const runs = JSON.stringify(card).match(/"type":"TextRun","text":"((?:[^"\\]|\\.)*)"/g) ?? [];
    expect(runs.map((r) => JSON.parse(`{${r}}`).text)).toContain(hostile);
    // A fact value takes Teams' Markdown subset: what it would act on (link, emphasis, heading) is escaped.
    const facts = JSON.stringify(card);
    expect(facts).toContain(
      JSON.stringify(String.raw`\# \[Boss\](https://evil.example) \*\*x\*\*`).slice(1, -1),
    );
    // No HTML entities are made (mobile would show "&amp;amp;"), and no mention is possible.
    expect(facts).not.toContain('&amp;amp;');
    expect(facts).not.toContain('msteams');
    // A plain-text property shows backslashes as they are, so it gets the text unescaped.
    const pattern = { regex: /^INC/, message: String.raw`Ticket like INC\d+ (e.g. INC_0042 *urgent*)` };
    const waiting = JSON.stringify(
      renderJobCard(submittedJob(t0), { approvals: { ...approvals, ticketPattern: pattern } }),
    );
    expect(waiting).toContain(`"placeholder":${JSON.stringify(pattern.message)}`);
  });
});

describe('requested for', () => {
  it("is marked as the submitter's word, with the key it came with", () => {
    const job = submittedJob(t0);
    const card = JSON.stringify(
      renderJobCard(
        { ...job, submittedBy: { channel: 'api', via: 'deploy-lab', requestedBy: 'ceo@contoso.example' } },
        { approvals },
      ),
    );
    expect(card).toContain('ceo@contoso.example (as given by deploy-lab, not verified)');
  });
});

describe('the card checker', () => {
  it('does report problems: an unknown element and a bad input are caught', () => {
    expect(
      cardProblems({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Input.Txt', id: 'x' }] }).length,
    ).toBeGreaterThan(0);
  });
});

describe('summary cards', () => {
  it('parse cleanly and escape what they show', async () => {
    const { renderPendingCard, renderRequestsCard } = await import('../../cards/summary-cards.js');
    const jobs = states().map(([, job]) => job);
    for (const card of [
      renderPendingCard({ jobs, total: jobs.length }, at(100)),
      renderRequestsCard({ jobs, total: jobs.length }),
      renderPendingCard({ jobs: [], total: 0 }, at(1)),
    ]) {
      expect(cardProblems(card)).toEqual([]);
      expect(JSON.stringify(card)).not.toContain('${');
    }
    const many = Array.from({ length: 25 }, () => largest());
    // The store counted 255 in all; the card shows 25 and says how many more there are.
    const pending = renderPendingCard({ jobs: many, total: 255 }, at(1));
    expect(JSON.stringify(pending)).toContain('Waiting for approval (255)');
    expect(JSON.stringify(pending)).toContain('…and 230 more.');
    // The largest lists (25 rows of the longest names) and a report with every field still fit a channel post.
    for (const card of [pending, renderRequestsCard({ jobs: many, total: 25 })])
      expect(fitsTeamsMessage(card)).toBe(true);
    expect(JSON.stringify(renderRequestsCard({ jobs: many, total: 25 }))).not.toContain('more.');
  });
});
