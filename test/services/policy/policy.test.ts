/** Policy rules: matching, the first rule wins, and POLICY_FILE checked at start with every problem named. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../services/config/config.js';
import { ConfigError } from '../../../services/config/config-error.js';
import { applyPolicyAtIntake } from '../../../services/policy/apply-policy.js';
import { applyDecision } from '../../../services/approvals/decision-change.js';
import {
  approversNeeded,
  evaluatePolicy,
  type ApprovalPolicy,
  type RequestFacts,
} from '../../../services/policy/policy.js';
import { submittedJob } from '../../support/jobs.js';

const dir = mkdtempSync(join(tmpdir(), 'aa-policy-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const env = (extra: Record<string, string>) => ({
  MODE: 'demo',
  DATA_DIR: dir,
  GROUP_TAGS: 'Standard,Kiosk,Lab',
  ALLOW_NO_TAG: 'false',
  TICKET_PATTERN: '^(INC|LAB)',
  ...extra,
});

function problemsOf(extra: Record<string, string>): string[] {
  try {
    loadConfig(env(extra));
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.key}: ${p.problem}`);
    throw error;
  }
  return [];
}

const facts = (over: Partial<RequestFacts> = {}): RequestFacts => ({
  source: 'lab',
  manufacturer: 'Dell Inc.',
  model: 'Latitude 7440',
  serialNumber: 'LAB12345',
  tag: null,
  submission: 'single',
  kind: 'hash',
  ...over,
});

describe('evaluatePolicy', () => {
  const policy: ApprovalPolicy = {
    dryRun: false,
    rules: [
      {
        name: 'lab',
        when: { source: ['LAB'], model: ['latitude *'], serial: /^lab\d+$/i, submission: 'single' },
        then: 'approve',
        groupTag: 'Lab',
        ticket: 'LAB',
      },
      { name: 'kiosk', when: { tag: ['Kiosk'] }, then: 'two_approvers' },
      { name: 'batches', when: { submission: 'batch' }, then: 'manual' },
    ],
  };

  it('takes the first rule whose conditions all hold; patterns ignore case, * stands for any run', () => {
    expect(evaluatePolicy(policy, facts())).toMatchObject({ rule: 'lab', then: 'approve', groupTag: 'Lab' });
    expect(evaluatePolicy(policy, facts({ model: 'Precision 5680' }))).toBeUndefined();
    expect(evaluatePolicy(policy, facts({ serialNumber: 'XLAB1' }))).toBeUndefined();
    expect(evaluatePolicy(policy, facts({ tag: 'kiosk', source: 'deploy' }))).toMatchObject({
      rule: 'kiosk',
    });
    // A condition on the tag never matches a request without one.
    expect(evaluatePolicy(policy, facts({ source: 'deploy' }))).toBeUndefined();
    expect(evaluatePolicy(policy, facts({ submission: 'batch' }))).toMatchObject({ rule: 'batches' });
  });

  it('does not approve a device off the allow-list, and says why on the job', () => {
    const job = {
      ...submittedJob(new Date('2026-11-01T10:00:00Z'), {
        device: { serialNumber: 'LAB77', manufacturer: 'Dell Inc.', model: 'Latitude 5450' },
        submittedBy: { channel: 'api', via: 'lab' },
      }),
      flags: ['not_on_allow_list' as const],
    };
    const after = applyPolicyAtIntake(job, policy, 'single', new Date('2026-11-01T10:00:00Z'));
    expect(after.status).toBe('awaiting_approval');
    expect(after.policy?.note).toBe('the device is not on the allow-list, so an approver decides');
    expect(after.audit.at(-1)?.detail).toBe(
      'Rule lab would have approved it with tag Lab, but the device is not on the allow-list, so an approver decides.',
    );
    const clean = applyPolicyAtIntake(
      { ...job, flags: [] },
      policy,
      'single',
      new Date('2026-11-01T10:00:00Z'),
    );
    expect(clean.status).toBe('approved');
    expect(clean.nextRunAt).toBe('2026-11-01T10:00:00.000Z');
  });
});

describe('approvers needed on the card', () => {
  const rules: ApprovalPolicy['rules'] = [
    { name: 'lab', when: { source: ['lab'] }, then: 'approve', groupTag: 'Lab', ticket: 'LAB' },
    { name: 'kiosk', when: { tag: ['Kiosk'] }, then: 'two_approvers' },
  ];
  const live: ApprovalPolicy = { rules, dryRun: false };

  it('an approve rule that did not act (device off the allow-list) does not shadow a two-approver rule', () => {
    expect(approversNeeded(live, undefined, facts({ tag: 'Kiosk' }))).toEqual({ needed: 2, rule: 'kiosk' });
    expect(approversNeeded(live, undefined, facts({ tag: 'Standard' }))).toEqual({ needed: 1 });
  });

  it('follows the policy as it is now: a verdict kept from a dry run binds once the dry run ends', () => {
    const fromDryRun = { rule: 'kiosk', then: 'two_approvers' as const, dryRun: true };
    expect(approversNeeded(live, fromDryRun, facts({ tag: 'Standard' }))).toEqual({
      needed: 2,
      rule: 'kiosk',
    });
    expect(approversNeeded({ rules, dryRun: true }, fromDryRun, facts({ tag: 'Standard' }))).toEqual({
      needed: 1,
      wouldHave: 'kiosk',
    });
    expect(approversNeeded(undefined, fromDryRun, facts())).toEqual({ needed: 1 });
  });
});

describe("a batch's decision", () => {
  it('applies to its devices as it was taken, whatever the policy says now', () => {
    const policy: ApprovalPolicy = {
      dryRun: false,
      rules: [{ name: 'all-two', when: {}, then: 'two_approvers' }],
    };
    const job = submittedJob(new Date('2026-11-01T10:00:00Z'), { batchId: 'b1' });
    const decision = {
      verb: 'approve' as const,
      by: { id: 'b', name: 'Bob' },
      at: '2026-11-01T11:00:00.000Z',
      groupTag: 'Standard',
      comment: 'INC1',
    };
    // Decided by one approver before the rule existed: the device is approved, not left waiting for a second.
    expect(applyDecision(decision, policy, {})(job).status).toBe('approved');
    // Decided by two: the device takes both approvals.
    const first = { ...decision, by: { id: 'a', name: 'Alice' } };
    const both = applyDecision(decision, policy, { firstApproval: first })(job);
    expect([both.status, both.firstApproval?.by.id, both.approval?.by.id]).toEqual(['approved', 'a', 'b']);
  });
});

describe('POLICY_FILE at start', () => {
  it('reads YAML and JSON into the same rules', () => {
    const yaml = file(
      'p.yaml',
      'rules:\n  - name: lab\n    when: { source: lab }\n    then: approve\n    tag: Lab\n    ticket: LAB ok\n',
    );
    const json = file(
      'p.json',
      JSON.stringify({
        rules: [{ name: 'lab', when: { source: 'lab' }, then: 'approve', tag: 'Lab', ticket: 'LAB ok' }],
      }),
    );
    const a = loadConfig(env({ POLICY_FILE: yaml })).approvals.policy;
    const b = loadConfig(env({ POLICY_FILE: json, POLICY_DRY_RUN: 'true' })).approvals.policy;
    expect(a?.rules).toEqual(b?.rules);
    expect(a?.rules[0]).toEqual({
      name: 'lab',
      when: { source: ['lab'] },
      then: 'approve',
      groupTag: 'Lab',
      ticket: 'LAB ok',
    });
    expect([a?.dryRun, b?.dryRun]).toEqual([false, true]);
  });

  it("reads the repository's example file, as the README points to it", () => {
    const policy = loadConfig(
      env({ POLICY_FILE: 'policy.example.yaml', GROUP_TAGS: 'Standard,Kiosk,Shared', TICKET_PATTERN: '' }),
    ).approvals.policy;
    expect(policy?.rules.map((r) => [r.name, r.then])).toEqual([
      ['lab-dells', 'approve'],
      ['kiosks-need-two', 'two_approvers'],
      ['everything-else-by-hand', 'manual'],
    ]);
  });

  it('names every problem with where it is', () => {
    const path = file(
      'bad.yaml',
      [
        'rules:',
        '  - name: lab',
        '    when: { serial: "([" , colour: red }',
        '    then: approve',
        '    tag: Finance',
        '    ticket: standing approval',
        '  - name: lab',
        '    then: two-approvers',
        '    tag: Kiosk',
        '  - name: "no spaces allowed"',
        '    then: maybe',
        '  - name: notag',
        '    then: approve',
        '    ticket: LAB x',
      ].join('\n'),
    );
    const problems = problemsOf({ POLICY_FILE: path });
    expect(problems).toEqual(
      expect.arrayContaining([
        'POLICY_FILE rules[0].when: Unrecognized key: "colour"',
        expect.stringMatching(/^POLICY_FILE rules\[2\]\.name: must be 1 to 64/),
        'POLICY_FILE rules[2].then: must be approve, two-approvers or manual',
      ]),
    );
    // Shape problems come first; once the shape is right, the rules' content is checked.
    const content = file(
      'content.yaml',
      [
        'rules:',
        '  - name: lab',
        '    when: { serial: "([" }',
        '    then: approve',
        '    tag: Finance',
        '    ticket: standing approval',
        '  - name: LAB',
        '    then: two-approvers',
        '    tag: Kiosk',
        '  - name: notag',
        '    then: approve',
        '    ticket: LAB x',
      ].join('\n'),
    );
    expect(problemsOf({ POLICY_FILE: content })).toEqual([
      'POLICY_FILE rules[0].when.serial: is not a valid regular expression',
      'POLICY_FILE rules[0].tag: "Finance" is not one of the configured group tags.',
      'POLICY_FILE rules[0].ticket: must match ^(INC|LAB)',
      'POLICY_FILE rules[1].name: "LAB" is used twice',
      'POLICY_FILE rules[1].tag: is only for then: approve',
      'POLICY_FILE rules[2].tag: is required with then: approve (null for no tag)',
    ]);
  });

  it('says when the file cannot be read or parsed, and refuses a dry run without rules', () => {
    expect(problemsOf({ POLICY_FILE: join(dir, 'missing.yaml') })[0]).toMatch(
      /^POLICY_FILE: cannot read .*missing\.yaml: ENOENT/,
    );
    expect(problemsOf({ POLICY_FILE: file('broken.json', '{"rules": [') })[0]).toMatch(
      /^POLICY_FILE: cannot read .*broken\.json: /,
    );
    expect(problemsOf({ POLICY_FILE: file('empty.yaml', 'rules: []\n') })).toEqual([
      'POLICY_FILE rules: must hold at least one rule',
    ]);
    expect(problemsOf({ POLICY_DRY_RUN: 'true' })).toEqual([
      'POLICY_DRY_RUN: needs POLICY_FILE (the rules to try)',
    ]);
  });
});
