import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetsDir } from './layout.ts';

/**
 * Player pseudonyms. A log's `pid` is already random per membership, but the same pid appears
 * in every export of that session; datasets therefore show `HMAC-SHA256(salt, pid)` where the
 * salt is itself `HMAC(installation secret, export content key)`: stable inside one dataset,
 * unlinkable across datasets with different content, and not reversible without the secret
 * (which stays in the data directory and is never exported).
 */
export function installationSecret(dataDir: string): Buffer {
  const dir = datasetsDir(dataDir);
  const path = join(dir, 'secret.key');
  try {
    const key = readFileSync(path);
    if (key.length >= 32) return key;
  } catch {
    // created below
  }
  mkdirSync(dir, { recursive: true });
  const key = randomBytes(32);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, key, { mode: 0o600 });
  try {
    chmodSync(tmp, 0o600);
  } catch {
    // best effort
  }
  renameSync(tmp, path);
  return readFileSync(path);
}

export class Pseudonymizer {
  private readonly salt: Buffer;
  private readonly cache = new Map<string, string>();

  constructor(secret: Buffer, datasetKey: string) {
    this.salt = createHmac('sha256', secret).update(`aikon-dataset-salt:${datasetKey}`).digest();
  }

  /** `p-` + 16 hex digits (64 bits). */
  player(pid: string): string {
    let out = this.cache.get(pid);
    if (!out) {
      out = `p-${createHmac('sha256', this.salt).update(`pid:${pid}`).digest('hex').slice(0, 16)}`;
      this.cache.set(pid, out);
    }
    return out;
  }

  /** Session ids embed the relay's lobby id: exports carry this instead. */
  session(sessionId: string): string {
    return `s-${createHmac('sha256', this.salt).update(`session:${sessionId}`).digest('hex').slice(0, 16)}`;
  }

  /** Lobby ids are replaced too. */
  lobby(lobbyId: string): string {
    return `l-${createHmac('sha256', this.salt).update(`lobby:${lobbyId}`).digest('hex').slice(0, 16)}`;
  }
}
