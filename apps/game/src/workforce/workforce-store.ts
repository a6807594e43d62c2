import { create } from 'zustand';
import type { RelayClient } from '@aikon/protocol/client';
import type {
  AuditLine,
  ClientEventName,
  ClientEventPayloads,
  ClientEventResults,
  StructuredGoal,
  WorkerBrain,
  WorkforceGoalResult,
  WorkforceSettings,
  WorkforceState,
} from '@aikon/protocol';
import { useLobby } from '../net/lobby-store.ts';
import { errorText } from '../net/relay-source.ts';

/**
 * The lobby's AI workforce as the relay broadcasts it (`workforce:state`), and the commands a
 * member sends (`workforce:*` socket events; the server checks who may send what and answers
 * every refusal with a reason, shown here as is).
 */
export interface WorkforceStore {
  state: WorkforceState | null;
  /** Why the last goal was refused (shown under the goal input). */
  goalError: string | null;
  /** The last accepted goal's answer. */
  goalResult: WorkforceGoalResult | null;
  /** Any other refusal (add/remove/approve/kill/settings/download). */
  error: string | null;
  busy: boolean;
  /** Whether the game screen's workforce dock is unfolded (kept here so it survives remounts). */
  dockOpen: boolean;
  toggleDock(): void;
  addWorker(name: string, brain?: WorkerBrain): Promise<boolean>;
  removeWorker(workerId: string): Promise<void>;
  giveGoal(goal: string | StructuredGoal): Promise<boolean>;
  decide(planId: number, approve: boolean): Promise<void>;
  kill(): Promise<void>;
  setSettings(change: Partial<WorkforceSettings>): Promise<void>;
  /** Downloads the whole audit log (JSON lines) from the relay, for members only. */
  downloadAudit(): Promise<void>;
}

async function request<K extends ClientEventName>(
  event: K,
  payload: ClientEventPayloads[K],
): Promise<ClientEventResults[K]> {
  const client = useLobby.getState().client;
  if (!client) throw new Error('Not connected to a lobby.');
  try {
    return await client.request(event, payload);
  } catch (err) {
    // A refusal also came as an `error` event, which the lobby store shows in its banner;
    // this panel shows it next to the control instead.
    if (useLobby.getState().error === errorText(err)) useLobby.setState({ error: null });
    throw err;
  }
}

/** The relay's origin: the page's own (the relay serves the game), or `?relay=`. */
function relayOrigin(): string {
  const param = new URLSearchParams(window.location.search).get('relay');
  return param && /^https?:\/\//.test(param) ? param : window.location.origin;
}

export const useWorkforce = create<WorkforceStore>()((set, get) => {
  const run = async <K extends ClientEventName>(event: K, payload: ClientEventPayloads[K]): Promise<boolean> => {
    try {
      await request(event, payload);
      set({ error: null });
      return true;
    } catch (err) {
      set({ error: errorText(err) });
      return false;
    }
  };
  return {
    state: null,
    goalError: null,
    goalResult: null,
    error: null,
    busy: false,
    dockOpen: false,
    toggleDock() {
      set({ dockOpen: !get().dockOpen });
    },
    addWorker: (name, brain = 'scripted') => run('workforce:add', { name: name.trim(), brain }),
    async removeWorker(workerId) {
      await run('workforce:remove', { workerId });
    },
    async giveGoal(goal) {
      set({ busy: true, goalError: null });
      try {
        const payload = typeof goal === 'string' ? { text: goal.trim() } : { goal };
        const result = await request('workforce:goal', payload);
        set({ goalResult: result, goalError: null, busy: false });
        return true;
      } catch (err) {
        set({ goalError: errorText(err), goalResult: null, busy: false });
        return false;
      }
    },
    async decide(planId, approve) {
      if (await run('workforce:approve', { planId, approve })) set({ goalResult: null });
    },
    async kill() {
      if (await run('workforce:kill', {})) set({ goalResult: null });
    },
    async setSettings(change) {
      await run('workforce:settings', change);
    },
    async downloadAudit() {
      const lobby = useLobby.getState().lobby;
      const token = useLobby.getState().client?.resumeToken;
      if (!lobby || !token) return;
      try {
        const res = await fetch(new URL(`/api/lobbies/${lobby.code}/audit`, relayOrigin()), {
          headers: { authorization: `Bearer ${token}` },
        });
        if (!res.ok) throw new Error(`The relay refused the download (${res.status}).`);
        const blob = await res.blob();
        const url = URL.createObjectURL(blob);
        const a = document.createElement('a');
        a.href = url;
        a.download = `aikon-audit-${lobby.code.slice(0, 8)}.jsonl`;
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
        set({ error: null });
      } catch (err) {
        set({ error: errorText(err) });
      }
    },
  };
});

// Follows the lobby store's connection: every `workforce:state` from the relay lands here
// (the server sends one on join, so this listens from the moment a client exists).
let attached: RelayClient | null = null;
const onState = (state: WorkforceState) => useWorkforce.setState({ state });
function follow(next: RelayClient | null): void {
  if (next === attached) return;
  attached?.socket.off('workforce:state', onState);
  attached = next;
  if (next) next.socket.on('workforce:state', onState);
  else useWorkforce.setState({ state: null, goalError: null, goalResult: null, error: null });
}
follow(useLobby.getState().client);
useLobby.subscribe((s) => follow(s.client));

/** Worker names by id (for task cards) . */
export function workerNames(state: WorkforceState | null): Map<string, string> {
  return new Map((state?.workers ?? []).map((w) => [w.workerId, w.name]));
}

export type { AuditLine };
