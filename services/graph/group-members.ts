/**
 * Adding devices to a group. Up to 20 at once with `PATCH /groups/{id}` and `members@odata.bind` (group-post-members,
 * "Example 2"), which is all or nothing: one member already there or not replicated yet refuses the whole request.
 * Such a chunk is then added one by one with `POST /groups/{id}/members/$ref`, whose answer tells each member apart
 * (400 "already exist" counts as success, the goal being reached).
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import type { ItemResult } from './autopilot-graph.js';
import { batchByKey, partError, type PartResponse } from './batch.js';

type Added = 'added' | 'already_member';

const PATCH_MAX_MEMBERS = 20;
const ALREADY = /already exist/i;

const refusedForAMember = (status: number) =>
  status >= 400 && status < 500 && status !== 401 && status !== 403 && status !== 429;

const messageOf = (r: PartResponse) =>
  (r.body as { error?: { message?: string } } | undefined)?.error?.message ?? '';

export async function addGroupMembers(
  client: Client,
  baseUrl: string,
  groupId: string,
  objectIds: readonly string[],
): Promise<Map<string, ItemResult<Added>>> {
  const ref = (objectId: string) => `${baseUrl}/v1.0/directoryObjects/${objectId}`;
  const group = `/groups/${encodeURIComponent(groupId)}`;
  const unique = [...new Set(objectIds)];
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += PATCH_MAX_MEMBERS)
    chunks.push(unique.slice(i, i + PATCH_MAX_MEMBERS));
  // A chunk of one is added on its own at once: its answer is as precise as the single add's.
  const patched = await batchByKey(
    client,
    chunks.filter((c) => c.length > 1),
    'v1.0',
    (chunk) => ({ method: 'PATCH', url: group, body: { 'members@odata.bind': chunk.map(ref) } }),
    (_chunk, r): ItemResult<PartResponse> => ({ ok: true, value: r }),
  );
  const results = new Map<string, ItemResult<Added>>();
  const oneByOne: string[] = chunks.filter((c) => c.length === 1).flat();
  for (const [chunk, result] of patched) {
    const response = result.ok ? result.value : undefined;
    if (response && response.status >= 200 && response.status < 300)
      for (const id of chunk) results.set(id, { ok: true, value: 'added' });
    // All or nothing: any member refused (already in, not replicated yet, not a device) refuses the 20. Each is
    // then added on its own, whose answer names it. A refusal of the whole request (403, 429) is the chunk's.
    else if (response && refusedForAMember(response.status)) oneByOne.push(...chunk);
    else {
      const error = result.ok ? partError('add group members', result.value) : result.error;
      for (const id of chunk) results.set(id, { ok: false, error });
    }
  }
  if (oneByOne.length)
    for (const [id, result] of await addOneByOne(client, ref, group, oneByOne)) results.set(id, result);
  return results;
}

function addOneByOne(
  client: Client,
  ref: (objectId: string) => string,
  group: string,
  objectIds: readonly string[],
): Promise<Map<string, ItemResult<Added>>> {
  return batchByKey(
    client,
    objectIds,
    'v1.0',
    (objectId) => ({ method: 'POST', url: `${group}/members/$ref`, body: { '@odata.id': ref(objectId) } }),
    (_id, r) => {
      if (r.status >= 200 && r.status < 300) return { ok: true, value: 'added' as const };
      // Graph answers 400 when the object is already a member: the goal is reached, so it is a success.
      if (r.status === 400 && ALREADY.test(messageOf(r)))
        return { ok: true, value: 'already_member' as const };
      return { ok: false, error: partError('add group member', r) };
    },
  );
}
