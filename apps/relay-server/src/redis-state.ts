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
/** The lease of the relay process a lobby ticks on (cluster.ts). */
export const ownerKey = (lobbyId: string): string => `${KEY_PREFIX}owner:${lobbyId}`;
/** How many times a lobby's lease was claimed: the epoch that fences its session log (cluster.ts). */
export const epochKey = (lobbyId: string): string => `${KEY_PREFIX}epoch:${lobbyId}`;

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

/**
 * Writes a lobby's records only while no other relay process holds its lease (KEYS[1]): a
 * process that stalled past its lease and lost the lobby cannot overwrite what the new owner
 * saves. ARGV: this process's id, the lobby id (the field), then one value per hash KEYS[2..];
 * an empty value deletes the field.
 */
const FENCED_WRITE = `local owner = redis.call('get', KEYS[1])
if owner and owner ~= ARGV[1] then return 0 end
for i = 2, #KEYS do
  local value = ARGV[i + 1]
  if value == '' then redis.call('hdel', KEYS[i], ARGV[2]) else redis.call('hset', KEYS[i], ARGV[2], value) end
end
return 1`;

/** A write refused because another relay process owns the lobby now. */
export class LeaseLostError extends Error {
  constructor(lobbyId: string) {
    super(`lobby ${lobbyId} is owned by another relay process now: this process's write was refused`);
  }
}

/**
 * Durable lobby records in Redis: `aikon:lobbies` and `aikon:checkpoints`, field = lobby id.
 * Writes are fenced by the lobby's owner lease (`processId`: this relay process).
 */
export class RedisLobbyBackend implements LobbyStateBackend {
  constructor(
    private readonly redis: RedisClient,
    readonly where: string,
    private readonly processId: string,
  ) {}

  /** Sets (text) or deletes ('') the lobby's field in each hash, unless another process owns it. */
  private async fenced(id: string, writes: [hash: string, text: string][]): Promise<void> {
    const done = await this.redis.eval(FENCED_WRITE, {
      keys: [ownerKey(id), ...writes.map(([hash]) => hash)],
      arguments: [this.processId, id, ...writes.map(([, text]) => text)],
    });
    if (done !== 1) throw new LeaseLostError(id);
  }

  async put(id: string, part: LobbyPart, text: string): Promise<void> {
    await this.fenced(id, [[HASH[part], text]]);
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
    await this.fenced(id, [
      [HASH.lobby, ''],
      [HASH.checkpoint, ''],
    ]);
  }

  async close(): Promise<void> {}
}
