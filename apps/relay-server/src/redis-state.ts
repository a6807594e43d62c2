/**
 * The relay's state in Redis (`REDIS_URL`): one client per process, and the durable lobby
 * records (the same JSON LobbyStore writes as files) in two hashes keyed by lobby id.
 */
import { createClient } from 'redis';
import type { Logger } from 'pino';
import type { LobbyPart, LobbyStateBackend } from './lobby-store.ts';
import { redactedUrl } from '@aikon/protocol/node';

function newClient(url: string) {
  return createClient({ url, socket: { connectTimeout: 5000, reconnectStrategy: (n) => Math.min(n * 100, 2000) } });
}
export type RedisClient = ReturnType<typeof newClient>;

/** Every key of the relay starts with this (one Redis can serve other things beside it). */
export const KEY_PREFIX = 'aikon:';

/**
 * Connects to `url`, failing with a clear error when nothing answers. After a later drop the
 * client reconnects on its own and queues commands meanwhile; errors are logged, not thrown.
 */
export async function connectRedis(url: string, log: Pick<Logger, 'warn'>): Promise<RedisClient> {
  const client = newClient(url);
  let connected = false;
  let lastError = '';
  client.on('error', (err: Error) => {
    if (connected) log.warn({ err: err.message, url: redactedUrl(url) }, 'redis connection error (retrying)');
    else lastError = err.message;
  });
  const timeout = setTimeout(() => client.destroy(), 5000);
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`cannot connect to Redis at ${redactedUrl(url)}: ${lastError || (err as Error).message}`);
  } finally {
    clearTimeout(timeout);
  }
  connected = true;
  return client;
}

const HASH: Record<LobbyPart, string> = {
  lobby: `${KEY_PREFIX}lobbies`,
  checkpoint: `${KEY_PREFIX}checkpoints`,
};
const SET_ASIDE = `${KEY_PREFIX}lobbies:unreadable`;

/** Durable lobby records in Redis: `aikon:lobbies` and `aikon:checkpoints`, field = lobby id. */
export class RedisLobbyBackend implements LobbyStateBackend {
  constructor(
    private readonly redis: RedisClient,
    readonly where: string,
  ) {}

  async put(id: string, part: LobbyPart, text: string): Promise<void> {
    await this.redis.hSet(HASH[part], id, text);
  }

  async get(id: string, part: LobbyPart): Promise<string | null> {
    return (await this.redis.hGet(HASH[part], id)) ?? null;
  }

  async lobbies(): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.redis.hGetAll(HASH.lobby)));
  }

  async setAside(id: string): Promise<void> {
    const text = await this.redis.hGet(HASH.lobby, id);
    const tx = this.redis.multi();
    if (text != null) tx.hSet(SET_ASIDE, id, text);
    await tx.hDel(HASH.lobby, id).exec();
  }

  async remove(id: string): Promise<void> {
    await this.redis.multi().hDel(HASH.lobby, id).hDel(HASH.checkpoint, id).exec();
  }

  async close(): Promise<void> {}
}
