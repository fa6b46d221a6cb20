/**
 * The documents beside the jobs: the channel binding, timed slots, people's chats and card addresses. Ids built from
 * user input are encoded: a guest's UPN holds `#EXT#`, and `#` (like `/ \\ ?`) is not allowed in a Cosmos DB id
 * (the SDK refuses it before sending).
 */
import type { Container } from '@azure/cosmos';
import type {
  CardAddress,
  ChannelBinding,
  ConversationReferenceData,
  UserReferenceDrop,
} from '../job-store.js';
import { checkReadResponse, cosmosCall } from './cosmos-call.js';
import { StoreConflictError } from '../errors.js';

const BINDING = { id: 'binding:helpdesk', pk: 'binding' };
/** Never expires, whatever default TTL the container has. */
const FOREVER = -1;

const userId = (userPrincipalName: string) =>
  `user:${Buffer.from(userPrincipalName.toLowerCase(), 'utf8').toString('base64url')}`;

interface UserDocument {
  reference?: ConversationReferenceData;
  dropped?: UserReferenceDrop;
}

export class CosmosReferences {
  constructor(
    private readonly container: Container,
    /** Time to live of user documents (a retention period after a person's last contact). */
    private readonly userTtlSeconds: number,
    /** Time to live of card addresses: as long as a finished job lives, so that the purge removes them first. */
    private readonly cardTtlSeconds: number,
  ) {}

  private async read<T extends object>(id: string, pk: string): Promise<T | undefined> {
    return cosmosCall(`the read of ${id}`, id, async () => {
      const response = await this.container.item(id, pk).read<T>();
      checkReadResponse(`the read of ${id}`, response);
      return response.resource;
    });
  }

  private async upsert(doc: { id: string; pk: string } & Record<string, unknown>): Promise<void> {
    await cosmosCall(`the write of ${doc.id}`, doc.id, () => this.container.items.upsert(doc));
  }

  async deleteIfPresent(id: string, pk: string): Promise<void> {
    await cosmosCall(
      `the delete of ${id}`,
      id,
      () => this.container.item(id, pk).delete(),
      () => undefined,
    );
  }

  async getChannelBinding(): Promise<ChannelBinding | undefined> {
    return (await this.read<{ binding: ChannelBinding }>(BINDING.id, BINDING.pk))?.binding;
  }

  saveChannelBinding(binding: ChannelBinding): Promise<void> {
    return this.upsert({ ...BINDING, type: 'binding', binding, ttl: FOREVER });
  }

  clearChannelBinding(): Promise<void> {
    return this.deleteIfPresent(BINDING.id, BINDING.pk);
  }

  async tryAcquireTimedSlot(name: string, now: Date, intervalMs: number): Promise<boolean> {
    const id = `slot:${name}`;
    const doc = { id, pk: 'slot', type: 'slot', takenAt: now.toISOString(), ttl: FOREVER };
    const found = await cosmosCall(`the read of ${id}`, id, async () => {
      const response = await this.container.item(id, 'slot').read<{ takenAt: string }>();
      checkReadResponse(`the read of ${id}`, response);
      return response;
    });
    try {
      if (!found.resource) {
        await cosmosCall(`the slot ${name}`, id, () => this.container.items.create(doc));
        return true;
      }
      if (now.getTime() - Date.parse(found.resource.takenAt) < intervalMs) return false;
      await cosmosCall(
        `the slot ${name}`,
        id,
        () =>
          this.container
            .item(id, 'slot')
            .replace(doc, { accessCondition: { type: 'IfMatch', condition: found.etag ?? '' } }),
        'conflict',
      );
      return true;
    } catch (error) {
      // Another instance took the slot between our read and write: it is theirs.
      if (error instanceof StoreConflictError) return false;
      throw error;
    }
  }

  /** Kept while the person uses the bot: forgotten a retention period after their last contact. */
  private writeUser(userPrincipalName: string, user: UserDocument): Promise<void> {
    return this.upsert({
      id: userId(userPrincipalName),
      pk: 'users',
      type: 'user',
      ...user,
      ttl: this.userTtlSeconds,
    });
  }

  saveUserReference(userPrincipalName: string, reference: ConversationReferenceData): Promise<void> {
    return this.writeUser(userPrincipalName, { reference });
  }

  /** A dropped chat keeps its user document, without the reference and with why. */
  dropUserReference(userPrincipalName: string, dropped: UserReferenceDrop): Promise<void> {
    return this.writeUser(userPrincipalName, { dropped });
  }

  async readUser(userPrincipalName: string): Promise<UserDocument | undefined> {
    const found = await this.read<UserDocument>(userId(userPrincipalName), 'users');
    if (found) return found;
    // Written before ids were encoded (`user:<upn>`): read until the person's next message rewrites it.
    const legacy = `user:${userPrincipalName.toLowerCase()}`;
    return /[/\\?#]/.test(legacy) ? undefined : this.read<UserDocument>(legacy, 'users');
  }

  async getCardAddress(cardKey: string): Promise<CardAddress | undefined> {
    return (await this.read<{ address: CardAddress }>(`card:${cardKey}`, cardKey))?.address;
  }

  saveCardAddress(cardKey: string, address: CardAddress): Promise<void> {
    return this.upsert({
      id: `card:${cardKey}`,
      pk: cardKey,
      type: 'card',
      address,
      ttl: this.cardTtlSeconds,
    });
  }
}
