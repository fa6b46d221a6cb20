/**
 * Reads POLICY_FILE (YAML or JSON) and checks it whole at start-up: every problem is named with where it is
 * (`rules[2].when.serial: not a valid regular expression`), and a rule's tag and ticket must pass the same checks
 * as an approver's inputs on the card.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { ApprovalConfig } from '../config/config.js';
import type { ConfigProblem } from '../config/config-error.js';
import { checkApprovalInputs, NO_TAG } from '../approvals/decision-inputs.js';
import type { ApprovalPolicy, PolicyRule, RuleConditions } from './policy.js';

const patterns = z
  .union([
    z.string().trim().min(1, 'must not be empty'),
    z.array(z.string().trim().min(1, 'must not be empty')).min(1),
  ])
  .transform((v) => (Array.isArray(v) ? v : [v]));

const conditions = z
  .object({
    source: patterns.optional(),
    manufacturer: patterns.optional(),
    model: patterns.optional(),
    serial: z.string().min(1).max(200).optional(),
    tag: patterns.optional(),
    submission: z.enum(['single', 'batch'], { error: 'must be single or batch' }).optional(),
    kind: z
      .enum(['hash', 'corporateIdentifier'], { error: 'must be hash or corporateIdentifier' })
      .optional(),
  })
  .strict();

const rule = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1 to 64 letters, digits or . _ -'),
    when: conditions.default({}),
    then: z.enum(['approve', 'two-approvers', 'manual'], {
      error: 'must be approve, two-approvers or manual',
    }),
    tag: z.string().trim().nullable().optional(),
    ticket: z.string().trim().optional(),
  })
  .strict();

const fileSchema = z.object({ rules: z.array(rule).min(1, 'must hold at least one rule') }).strict();

const KEY = 'POLICY_FILE';

function at(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
}

function parseText(text: string, path: string): unknown {
  // JSON is YAML too; a .json file is read as JSON so that its errors read as JSON's.
  return path.toLowerCase().endsWith('.json') ? JSON.parse(text) : parseYaml(text);
}

/** The policy in the file, or every problem with it. */
export function readPolicy(
  path: string,
  dryRun: boolean,
  approvals: ApprovalConfig,
): { policy: ApprovalPolicy } | { problems: ConfigProblem[] } {
  let raw: unknown;
  try {
    raw = parseText(readFileSync(path, 'utf8'), path);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { problems: [{ key: KEY, problem: `cannot read ${path}: ${reason}` }] };
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success)
    return {
      problems: parsed.error.issues.map((issue) => ({
        key: `${KEY} ${at(issue.path) || '(file)'}`,
        problem: issue.message,
      })),
    };
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  const rules = parsed.data.rules.map((r, i): PolicyRule => {
    const where = (field: string) => `${KEY} rules[${i}]${field}`;
    if (seen.has(r.name.toLowerCase()))
      problems.push({ key: where('.name'), problem: `"${r.name}" is used twice` });
    seen.add(r.name.toLowerCase());
    let serial: RegExp | undefined;
    if (r.when.serial !== undefined) {
      try {
        serial = new RegExp(r.when.serial, 'i');
      } catch {
        problems.push({ key: where('.when.serial'), problem: 'is not a valid regular expression' });
      }
    }
    const { serial: _s, ...rest } = r.when;
    const when: RuleConditions = { ...rest, ...(serial ? { serial } : {}) };
    if (r.then !== 'approve') {
      for (const field of ['tag', 'ticket'] as const)
        if (r[field] !== undefined)
          problems.push({ key: where(`.${field}`), problem: `is only for then: approve` });
      return { name: r.name, when, then: r.then === 'two-approvers' ? 'two_approvers' : 'manual' };
    }
    if (r.tag === undefined) {
      problems.push({ key: where('.tag'), problem: 'is required with then: approve (null for no tag)' });
      return { name: r.name, when, then: 'manual' };
    }
    // The rule approves as an approver would: its tag and ticket pass the card's checks.
    const checked = checkApprovalInputs(
      { groupTag: r.tag === null || r.tag === '' ? NO_TAG : r.tag, comment: r.ticket ?? '' },
      approvals,
    );
    if (!checked.ok) {
      for (const p of checked.problems)
        problems.push({
          key: where(p.input === 'groupTag' ? '.tag' : '.ticket'),
          problem: p.message,
        });
      return { name: r.name, when, then: 'manual' };
    }
    return { name: r.name, when, then: 'approve', groupTag: checked.groupTag, ticket: checked.comment };
  });
  return problems.length ? { problems } : { policy: { rules, dryRun } };
}
