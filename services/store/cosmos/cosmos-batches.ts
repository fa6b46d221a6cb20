/**
 * Batches in the Cosmos DB container: one document per batch in its own partition (`batch:<id>`), where the
 * batch card's address lives too. Writes are IfMatch replaces, as for jobs.
 */
import type { Container, ItemDefinition } from '@azure/cosmos';
import type { ImportBatch } from '../../domain/batch.js';
import { StoreConflictError, StoreUnavailableError } from '../errors.js';
import type { StoredBatch } from '../job-store.js';
import { checkReadResponse, cosmosCall } from './cosmos-call.js';

type BatchDocument = ItemDefinition & {
  pk: string;
  type: 'batch';
  createdAt: string;
  batch: ImportBatch;
  ttl: number;
};

const keyOf = (batchId: string) => `batch:${batchId}`;

/** A batch never expires by itself: the purge removes it once no job refers to it. */
function toDocument(batch: ImportBatch): BatchDocument {
  return {
    id: keyOf(batch.id),
    pk: keyOf(batch.id),
    type: 'batch',
    createdAt: batch.createdAt,
    batch,
    ttl: -1,
  };
}

function fromDocument(doc: BatchDocument): StoredBatch {
  const etag: unknown = doc._etag;
  if (typeof etag !== 'string')
    throw new StoreUnavailableError(`Cosmos returned batch ${doc.batch.id} without an etag.`, null);
  return { batch: doc.batch, etag };
}

export class CosmosBatches {
  constructor(private readonly container: Container) {}

  async create(batch: ImportBatch): Promise<void> {
    try {
      await cosmosCall('the new batch', batch.id, () => this.container.items.create(toDocument(batch)));
    } catch (error) {
      // Stored already: left as it is.
      if (!(error instanceof StoreConflictError)) throw error;
    }
  }

  async get(id: string): Promise<StoredBatch | undefined> {
    const resource = await cosmosCall(`the read of batch ${id}`, id, async () => {
      const response = await this.container.item(keyOf(id), keyOf(id)).read<BatchDocument>();
      checkReadResponse(`the read of batch ${id}`, response);
      return response.resource;
    });
    return resource ? fromDocument(resource) : undefined;
  }

  async update(batch: ImportBatch, etag: string): Promise<StoredBatch> {
    const { resource } = await cosmosCall(
      `the update of batch ${batch.id}`,
      batch.id,
      () =>
        this.container.item(keyOf(batch.id), keyOf(batch.id)).replace<BatchDocument>(toDocument(batch), {
          accessCondition: { type: 'IfMatch', condition: etag },
        }),
      'conflict',
    );
    return fromDocument(resource as BatchDocument);
  }

  /** Deletes batches created before the cutoff that no job refers to any more, with their card addresses. */
  async purgeOrphaned(cutoff: Date, remove: (id: string, pk: string) => Promise<void>): Promise<void> {
    const query = <T>(text: string, parameters: { name: string; value: string }[]) =>
      cosmosCall(
        'the batch purge query',
        'batches',
        async () => (await this.container.items.query<T>({ query: text, parameters }).fetchAll()).resources,
      );
    const old = await query<string>(
      `SELECT VALUE c.batch.id FROM c WHERE c.type = 'batch' AND c.createdAt < @cutoff`,
      [{ name: '@cutoff', value: cutoff.toISOString() }],
    );
    for (const id of old) {
      const jobs = await query<string>(
        `SELECT TOP 1 VALUE c.id FROM c WHERE c.type = 'job' AND c.batchId = @id`,
        [{ name: '@id', value: id }],
      );
      if (jobs.length > 0) continue;
      await remove(`card:${keyOf(id)}`, keyOf(id));
      await remove(keyOf(id), keyOf(id));
    }
  }
}
