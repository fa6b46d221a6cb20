/**
 * Corporate identifiers through the real Graph client and the emulator: one call for many, nothing overwritten,
 * and one identifier Intune refuses does not fail the others (Intune refuses the whole list for it).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startGraphFixture, type GraphFixture } from '../../support/graph.js';

let fixture: GraphFixture | undefined;
afterEach(async () => {
  await fixture?.stop();
  fixture = undefined;
});

describe('corporate identifiers over Graph', () => {
  it('imports many in one call, finds them again, and isolates an identifier Intune refuses', async () => {
    fixture = await startGraphFixture({ scenario: { timeScale: 0.001 } });
    const good = ['Contoso,Laptop 7,CI-0001', 'Contoso,Laptop 7,CI-0002'];
    // A dot in the model breaks an identifier (the reference sheet): Intune refuses the list it is in.
    const bad = 'Contoso,Laptop 7.1,CI-0003';
    const imported = await fixture.graph.importCorporateIdentifiers([...good, bad]);
    expect(good.map((id) => imported.get(id)?.ok && imported.get(id))).toEqual(
      good.map(() => ({ ok: true, value: { id: expect.any(String), accepted: true } })),
    );
    const refused = imported.get(bad);
    expect(refused?.ok === false && refused.error.status).toBe(400);
    expect(
      [...fixture.emulator.tenant.corporateIdentifiers.values()]
        .map((r) => r.importedDeviceIdentifier)
        .sort(),
    ).toEqual(good);

    const found = await fixture.graph.searchCorporateIdentifiers([...good, 'Contoso,Laptop 7,CI-0009']);
    expect(found.get(good[0] ?? '')).toMatchObject({ ok: true, value: expect.any(String) });
    expect(found.get('Contoso,Laptop 7,CI-0009')).toEqual({ ok: true, value: null });
  });
});
