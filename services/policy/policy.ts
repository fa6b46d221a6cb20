/**
 * Approval policies: ordered rules, each with conditions on a request and an outcome (approve automatically,
 * require two different approvers, or leave it to a person). The first rule whose conditions all hold decides;
 * no rule means a person decides. Pure: the file is read and checked in load-policy.ts.
 */
import type { PolicyVerdict } from '../domain/job.js';

export type SubmissionKind = 'single' | 'batch';
export type IdentifierKind = 'hash' | 'corporateIdentifier';

/** Each list holds patterns, any of which may match: case-insensitive, `*` standing for any run of characters. */
export interface RuleConditions {
  source?: string[];
  manufacturer?: string[];
  model?: string[];
  /** A regular expression the serial number must match (case-insensitive). */
  serial?: RegExp;
  /** The requested tag at intake; the tag the approver chose, on the card. */
  tag?: string[];
  submission?: SubmissionKind;
  kind?: IdentifierKind;
}

export type PolicyRule = { name: string; when: RuleConditions } & (
  | { then: 'approve'; groupTag: string | null; ticket: string }
  | { then: 'two_approvers' }
  | { then: 'manual' }
);

export interface ApprovalPolicy {
  rules: PolicyRule[];
  /** Rules are evaluated and shown on the card, never acted on. */
  dryRun: boolean;
}

/** What the rules look at. */
export interface RequestFacts {
  source: string;
  manufacturer: string;
  model: string;
  serialNumber: string;
  tag?: string | null;
  submission: SubmissionKind;
  kind: IdentifierKind;
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 'i');
}

const anyOf = (patterns: string[] | undefined, value: string | null | undefined): boolean =>
  patterns === undefined ||
  (typeof value === 'string' && patterns.some((p) => globToRegExp(p).test(value.trim())));

export function matches(when: RuleConditions, facts: RequestFacts): boolean {
  return (
    anyOf(when.source, facts.source) &&
    anyOf(when.manufacturer, facts.manufacturer) &&
    anyOf(when.model, facts.model) &&
    anyOf(when.tag, facts.tag) &&
    (when.serial === undefined || when.serial.test(facts.serialNumber)) &&
    (when.submission === undefined || when.submission === facts.submission) &&
    (when.kind === undefined || when.kind === facts.kind)
  );
}

/** The first matching rule's verdict, or undefined when no rule matches (a person decides). */
export function evaluatePolicy(policy: ApprovalPolicy, facts: RequestFacts): PolicyVerdict | undefined {
  const rule = policy.rules.find((r) => matches(r.when, facts));
  if (!rule) return undefined;
  const base = { rule: rule.name, then: rule.then, dryRun: policy.dryRun };
  return rule.then === 'approve' ? { ...base, groupTag: rule.groupTag, ticket: rule.ticket } : base;
}

/** The id prefix of the actor a rule approves as. */
export const RULE_PREFIX = 'rule:';

/** Whether an approval (or any decision) was made by a policy rule rather than a person. */
export const isRuleActor = (actor: { id: string }): boolean => actor.id.startsWith(RULE_PREFIX);

/** The actor a rule approves as: on the card, in the audit and in reports. */
export function ruleActor(rule: string): { id: string; name: string } {
  return { id: `${RULE_PREFIX}${rule}`, name: `rule ${rule}` };
}

/**
 * How many approvers a request needs, given its verdict at intake and the tag an approver chose. On the card the
 * rules are tried again without the `approve` ones (they act at intake only, so one that did not act, e.g. for a
 * device off the allow-list, must not shadow a two-approver rule after it). The policy as it is now decides: a
 * verdict kept from a dry run counts only while the policy is still a dry run.
 */
export function approversNeeded(
  policy: ApprovalPolicy | undefined,
  atIntake: PolicyVerdict | undefined,
  facts: RequestFacts,
): { needed: 1 | 2; rule?: string; wouldHave?: string } {
  if (!policy) return { needed: 1 };
  const onCard = evaluatePolicy(
    { ...policy, rules: policy.rules.filter((r) => r.then !== 'approve') },
    facts,
  );
  const two = [onCard, atIntake].find((v) => v?.then === 'two_approvers');
  if (!two) return { needed: 1 };
  return policy.dryRun ? { needed: 1, wouldHave: two.rule } : { needed: 2, rule: two.rule };
}

/** The card's line about the rule that matched. */
export function describeVerdict(verdict: PolicyVerdict): string {
  const wouldHave =
    verdict.then === 'approve'
      ? `approved it with ${verdict.groupTag ? `tag ${verdict.groupTag}` : 'no tag'}`
      : verdict.then === 'two_approvers'
        ? 'required two different approvers'
        : 'left it to an approver';
  if (verdict.dryRun) return `Dry run: rule ${verdict.rule} would have ${wouldHave}; the rule did nothing.`;
  if (verdict.note) return `Rule ${verdict.rule} would have ${wouldHave}, but ${verdict.note}.`;
  if (verdict.then === 'approve') return `Approved by rule ${verdict.rule}.`;
  if (verdict.then === 'two_approvers') return `Rule ${verdict.rule}: two different approvers must approve.`;
  return `Rule ${verdict.rule}: an approver decides.`;
}
