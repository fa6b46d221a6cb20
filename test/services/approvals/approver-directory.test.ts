import { afterEach, describe, expect, it } from 'vitest';
import {
  GraphApproverDirectory,
  StaticApproverDirectory,
} from '../../../services/approvals/approver-directory.js';
import { startGraphFixture, type GraphFixture } from '../../support/graph.js';

let fixture: GraphFixture | undefined;
afterEach(async () => {
  await fixture?.stop();
  fixture = undefined;
});

const checks = (f: GraphFixture) =>
  f.emulator.log.entries.filter((e) => /checkmembergroups$/i.test(e.path)).length;

describe('GraphApproverDirectory against the emulator', () => {
  it('accepts members of an approver group, refuses others, and caches answers for a while', async () => {
    fixture = await startGraphFixture();
    fixture.emulator.tenant.addUserToGroups('aad-alice', ['g-helpdesk']);
    fixture.emulator.tenant.addUserToGroups('aad-bob', ['g-sales']);
    let now = 1_000;
    const directory = new GraphApproverDirectory(
      fixture.graph,
      ['g-helpdesk', 'g-admins'],
      60_000,
      () => now,
    );
    const [alice, aliceAgain, bob] = await Promise.all([
      directory.isApprover('aad-alice'),
      directory.isApprover('AAD-ALICE'),
      directory.isApprover('aad-bob'),
    ]);
    expect([alice, aliceAgain, bob]).toEqual([true, true, false]);
    expect(checks(fixture)).toBe(2);
    await directory.isApprover('aad-alice');
    expect(checks(fixture)).toBe(2);
    fixture.emulator.tenant.addUserToGroups('aad-alice', []);
    now += 60_001;
    expect(await directory.isApprover('aad-alice')).toBe(false);
    expect(checks(fixture)).toBe(3);
  });

  it('keeps its cache bounded however many people click', async () => {
    const graph = { checkMemberGroups: () => Promise.resolve([]) };
    const directory = new GraphApproverDirectory(graph, ['g-helpdesk'], 60_000, () => 1_000);
    for (let i = 0; i < 12_000; i++) await directory.isApprover(`aad-${i}`);
    const size = (directory as unknown as { cache: Map<string, unknown> }).cache.size;
    expect(size).toBeLessThanOrEqual(5_000);
    expect(size).toBeGreaterThan(0);
  });

  it('does not cache a failed lookup, and refuses everyone when no group is configured', async () => {
    fixture = await startGraphFixture();
    const directory = new GraphApproverDirectory(fixture.graph, ['g-helpdesk']);
    await expect(directory.isApprover('aad-unknown')).rejects.toThrow(/404/);
    fixture.emulator.tenant.addUserToGroups('aad-unknown', ['g-helpdesk']);
    expect(await directory.isApprover('aad-unknown')).toBe(true);
    expect(await new GraphApproverDirectory(fixture.graph, []).isApprover('aad-unknown')).toBe(false);
  });
});

describe('StaticApproverDirectory', () => {
  it('accepts exactly the configured object ids, in any case', async () => {
    const directory = new StaticApproverDirectory(['AAD-1']);
    expect(await directory.isApprover('aad-1')).toBe(true);
    expect(await directory.isApprover('aad-2')).toBe(false);
  });
});
