import type { RelayConfig } from './config.ts';
import { type Lobby, type MemberState, RelayError } from './lobby.ts';

/** Mirrors the registry where other relay processes can read it (cluster.ts). */
export interface LobbyDirectory {
  added(lobby: Lobby): void;
  removed(lobby: Lobby): void;
  token(token: string, lobby: Lobby | null): void;
}

/**
 * The relay's open lobbies: by id and invite code, members by resume token, and what each
 * client address may still create (open lobbies per address, creations per minute).
 */
export class LobbyRegistry {
  readonly lobbies = new Map<string, Lobby>();
  private readonly byCode = new Map<string, Lobby>();
  private readonly tokens = new Map<string, { lobby: Lobby; member: MemberState }>();
  /** Open lobbies per creator address (capped: config.maxLobbiesPerAddress). */
  private readonly openByAddress = new Map<string, Set<Lobby>>();
  /** Lobby-creation token buckets per client address (bounded: stale entries are dropped). */
  private readonly createBuckets = new Map<string, { tokens: number; last: number }>();

  /** Set when several relay processes share Redis: codes and tokens resolve from any of them. */
  directory: LobbyDirectory | null = null;

  constructor(private readonly config: RelayConfig) {}

  get size(): number {
    return this.lobbies.size;
  }

  byId(lobbyId: string | undefined): Lobby | undefined {
    return lobbyId ? this.lobbies.get(lobbyId) : undefined;
  }

  byInviteCode(code: string): Lobby | undefined {
    return this.byCode.get(code);
  }

  /** The membership a resume token belongs to. */
  byToken(token: string): { lobby: Lobby; member: MemberState } | undefined {
    return this.tokens.get(token);
  }

  /** Adds a lobby (new, or restored from the data directory); `creator` counts it against that address. */
  add(lobby: Lobby, creator?: string): void {
    this.lobbies.set(lobby.id, lobby);
    this.byCode.set(lobby.code, lobby);
    this.directory?.added(lobby);
    if (creator === undefined) return;
    const open = this.openByAddress.get(creator) ?? new Set<Lobby>();
    open.add(lobby);
    this.openByAddress.set(creator, open);
  }

  remove(lobby: Lobby): void {
    for (const [address, open] of this.openByAddress)
      if (open.delete(lobby) && open.size === 0) this.openByAddress.delete(address);
    this.lobbies.delete(lobby.id);
    this.byCode.delete(lobby.code);
    this.directory?.removed(lobby);
  }

  /** A member's resume token was created (member) or dropped (null). */
  setToken(token: string, member: MemberState | null, lobby: Lobby): void {
    if (member) this.tokens.set(token, { lobby, member });
    else this.tokens.delete(token);
    this.directory?.token(token, member ? lobby : null);
  }

  /** Throws unless `address` may create one more lobby now (server, per-address and per-minute caps). */
  admitCreate(address: string): void {
    if (this.lobbies.size >= this.config.maxLobbies)
      throw new RelayError('server_busy', 'too many lobbies on this server');
    if ((this.openByAddress.get(address)?.size ?? 0) >= this.config.maxLobbiesPerAddress) {
      throw new RelayError(
        'too_many_lobbies',
        `at most ${this.config.maxLobbiesPerAddress} open lobbies created from one address`,
      );
    }
    if (!this.takeCreateToken(address)) {
      throw new RelayError(
        'rate_limited',
        `at most ${this.config.lobbyCreatesPerMinute} new lobbies per minute from one address`,
      );
    }
  }

  private takeCreateToken(address: string): boolean {
    const now = performance.now();
    const cap = this.config.lobbyCreatesPerMinute;
    if (this.createBuckets.size > 10_000) {
      for (const [k, b] of this.createBuckets) if (now - b.last > 60_000) this.createBuckets.delete(k);
    }
    const b = this.createBuckets.get(address) ?? { tokens: cap, last: now };
    b.tokens = Math.min(cap, b.tokens + ((now - b.last) / 60_000) * cap);
    b.last = now;
    this.createBuckets.set(address, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Forgets every lobby (shutdown, after they were suspended or closed). */
  clear(): void {
    this.lobbies.clear();
    this.byCode.clear();
    this.tokens.clear();
    this.openByAddress.clear();
  }
}
