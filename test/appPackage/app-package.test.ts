import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildAppPackage, buildManifest } from '../../appPackage/build-package.js';
import { validateManifest } from '../../appPackage/validate-manifest.js';
import { decodePng } from '../support/png.js';

const ids = {
  botId: '11111111-2222-4333-8444-555555555555',
  teamsAppId: '66666666-7777-4888-9999-000000000000',
  version: '1.4.2',
};

function unzip(archive: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const end = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let offset = archive.readUInt32LE(end + 16);
  for (let i = 0; i < archive.readUInt16LE(end + 10); i++) {
    const nameLength = archive.readUInt16LE(offset + 28);
    const name = archive.toString('utf8', offset + 46, offset + 46 + nameLength);
    const local = archive.readUInt32LE(offset + 42);
    const size = archive.readUInt32LE(offset + 20);
    const start = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    files.set(name, inflateRawSync(archive.subarray(start, start + size)));
    offset += 46 + nameLength + archive.readUInt16LE(offset + 30) + archive.readUInt16LE(offset + 32);
  }
  return files;
}

describe('Teams app package', () => {
  it('has a manifest that the official 1.22 schema accepts, with the version it was built with', async () => {
    const manifest = buildManifest(ids);
    // The official schema of the manifest's version, as Microsoft's @microsoft/app-manifest ships it (offline).
    expect(await validateManifest(manifest)).toEqual([]);
    expect(manifest).toMatchObject({
      id: ids.teamsAppId,
      version: '1.4.2',
      bots: [{ botId: ids.botId, scopes: ['team', 'personal'] }],
    });
  });

  it('the schema check does catch a broken manifest', async () => {
    const { name: _name, ...withoutName } = buildManifest(ids);
    const problems = await validateManifest({ ...withoutName, accentColor: 'blue' });
    expect(problems.join('\n')).toMatch(/must have required property 'name'/);
    expect(problems.join('\n')).toMatch(/accentColor/);
  });

  it('lists commands for the channel and personal scopes', () => {
    const bots = buildManifest(ids).bots as {
      commandLists: { scopes: string[]; commands: { title: string }[] }[];
    }[];
    const byScope = Object.fromEntries(
      bots[0]!.commandLists.map((l) => [l.scopes.join(), l.commands.map((c) => c.title)]),
    );
    expect(byScope).toEqual({
      team: ['bind here', 'pending', 'report', 'lookup', 'export', 'help'],
      personal: ['status', 'my requests', 'lookup', 'help'],
    });
  });

  it('has a 192×192 colour icon and a 32×32 outline that is white on transparent', () => {
    const color = decodePng(readFileSync('appPackage/color.png'));
    expect([color.width, color.height]).toEqual([192, 192]);
    const outline = decodePng(readFileSync('appPackage/outline.png'));
    expect([outline.width, outline.height, outline.colorType]).toEqual([32, 32, 6]);
    let transparent = 0;
    let white = 0;
    for (let i = 0; i < outline.pixels.length; i += 4) {
      const [r, g, b, a] = outline.pixels.subarray(i, i + 4);
      if (a === 0) transparent++;
      else if (r === 255 && g === 255 && b === 255) white++;
      else throw new Error(`outline pixel ${i / 4} is neither transparent nor white`);
    }
    expect(transparent).toBeGreaterThan(0);
    expect(white).toBeGreaterThan(0);
  });

  it("packs the manifest with this deployment's ids and both icons into the zip", () => {
    const files = unzip(buildAppPackage(ids));
    expect([...files.keys()]).toEqual(['manifest.json', 'color.png', 'outline.png']);
    expect(JSON.parse(files.get('manifest.json')!.toString())).toMatchObject({ id: ids.teamsAppId });
    expect(files.get('color.png')?.equals(readFileSync('appPackage/color.png'))).toBe(true);
  });
});
