/**
 * Batches in the Cosmos DB container: one document per batch in its own partition (`batch:<id>`), where the
 * batch card's address lives too. Writes are IfMatch replaces, as for jobs.
 */
import type { Container, ItemDefinition } from '@azure/cosmos';
import type { ImportBatch } from '../../domain/batch.js';
import { StoreConflictError, StoreUnavailableError } from '../errors.js';
import type { StoredBatch } from '../job-store.js';

type BatchDocument = ItemDefinition & { pk: string; type: 'batch'; createdAt: string; batch: ImportBatch };

const keyOf = (batchId: string) => `batch:${batchId}`;

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function toDocument(batch: ImportBatch): BatchDocument {
  return { id: keyOf(batch.id), pk: keyOf(batch.id), type: 'batch', createdAt: batch.createdAt, batch };
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
      await this.container.items.create(toDocument(batch));
    } catch (error) {
      if (statusOf(error) !== 409) throw new StoreUnavailableError('Cosmos DB refused the new batch.', error);
    }
  }

  async get(id: string): Promise<StoredBatch | undefined> {
    const { resource } = await this.container.item(keyOf(id), keyOf(id)).read<BatchDocument>();
    return resource ? fromDocument(resource) : undefined;
  }

  async update(batch: ImportBatch, etag: string): Promise<StoredBatch> {
    try {
      const { resource } = await this.container
        .item(keyOf(batch.id), keyOf(batch.id))
        .replace<BatchDocument>(toDocument(batch), { accessCondition: { type: 'IfMatch', condition: etag } });
      return fromDocument(resource as BatchDocument);
    } catch (error) {
      const status = statusOf(error);
      if (status === 412 || status === 404) throw new StoreConflictError(batch.id);
      throw new StoreUnavailableError(`Cosmos DB refused the update of batch ${batch.id}.`, error);
    }
  }

  /** Deletes batches created before the cutoff that no job refers to any more, with their card addresses. */
  async purgeOrphaned(cutoff: Date, remove: (id: string, pk: string) => Promise<void>): Promise<void> {
    const query = async <T>(text: string, parameters: { name: string; value: string }[]) => {
      try {
        return (await this.container.items.query<T>({ query: text, parameters }).fetchAll()).resources;
      } catch (error) {
        throw new StoreUnavailableError('Cosmos DB query failed.', error);
      }
    };
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
