import { create } from 'zustand';
import type { RelayClient } from '@aikon/protocol/client';
import { parseInviteCode } from '@aikon/protocol/constants';
import type { LobbyState } from '@aikon/protocol';
import { useGame } from '../game/store.ts';
import { RelayGameSource, errorText } from './relay-source.ts';
import { TEST_HOOKS } from '../game/test-build.ts';

/**
 * Multiplayer state of the client: the relay connection, the lobby it is in, the lobby page,
 * and the hand-over to the game screen (a RelayGameSource) once the lobby runs.
 */
export type LobbyView =
  /** Not in multiplayer (home or solo). */
  | 'none'
  /** An invite link was opened: ask for a display name. */
  | 'join-prompt'
  | 'connecting'
  /** The lobby page (members, settings, start). */
  | 'lobby';

export interface LobbyStore {
  view: LobbyView;
  /** Invite code from the opened link (join prompt). */
  inviteCode: string | null;
  client: RelayClient | null;
  lobby: LobbyState | null;
  memberId: string | null;
  inviteUrl: string | null;
  connected: boolean;
  /** The last refusal or failure, shown plainly (lobby page, home, in game). */
  error: string | null;
  /** Why we are back home (kicked, lobby closed, moved to another tab). */
  notice: string | null;
  /** The join was refused because another tab holds this membership: it may be taken over. */
  takeoverCode: string | null;
  name: string;
  exportConsent: boolean;
  busy: boolean;
  setName(name: string): void;
  createLobby(name: string): Promise<boolean>;
  joinLobby(codeOrLink: string, name: string, options?: { takeover?: boolean }): Promise<boolean>;
  leave(): Promise<void>;
  setConfig(change: { seats?: number; seed?: number; tickRate?: number }): Promise<void>;
  kick(memberId: string): Promise<void>;
  /** Lets a kicked member join again (host only). */
  unban(memberId: string): Promise<void>;
  /** Moves the membership another tab holds to this one (that tab is told and goes home). */
  takeOver(): Promise<boolean>;
  start(): Promise<void>;
  setExportConsent(consent: boolean): Promise<void>;
  respawn(): Promise<void>;
  dismissError(): void;
  /** Reads `?lobby=CODE` / `/join/CODE` from the page's address (once, at load). */
  openFromLocation(): void;
}

const NAME_KEY = 'aikon.name';
const CONSENT_KEY = 'aikon.exportConsent';
const RESUME_KEY = 'aikon.resume';

function storage(kind: 'local' | 'session'): Storage | undefined {
  try {
    return kind === 'local' ? window.localStorage : window.sessionStorage;
  } catch {
    return undefined;
  }
}

/** Where the relay server is: the page's own origin (the relay serves the game). */
function relayUrl(): string {
  return window.location.origin;
}

/** Keeps the lobby in the address bar, so that a refresh returns to it. */
function showLobbyInAddress(code: string): void {
  if (parseInviteCode(window.location.href) === code) return;
  const url = new URL(window.location.href);
  url.searchParams.set('lobby', code);
  window.history.replaceState(null, '', url);
}

/** The address names a lobby (`?lobby=` or `/join/`), well-formed or not. */
function addressNamesLobby(): boolean {
  return new URLSearchParams(window.location.search).has('lobby') || /\/join\//.test(window.location.pathname);
}

function clearLobbyFromAddress(): void {
  if (!addressNamesLobby()) return;
  const url = new URL('./', document.baseURI);
  const params = new URLSearchParams(window.location.search);
  params.delete('lobby');
  url.search = params.toString();
  window.history.replaceState(null, '', url);
}

/** Codes and whole invite links both work in the "Join by code" box. */
export function inviteCodeFrom(text: string): string | null {
  const trimmed = text.trim();
  if (/^[A-Za-z0-9_-]{22}$/.test(trimmed)) return trimmed;
  return parseInviteCode(trimmed);
}

export const useLobby = create<LobbyStore>()((set, get) => {
  let offs: (() => void)[] = [];
  let leaving = false;

  const fail = (err: unknown): void => set({ error: errorText(err), busy: false });

  /** A fresh connection to the relay, wired to this store. */
  let connecting: Promise<RelayClient> | null = null;
  let openedFromLocation = false;
  function connect(): Promise<RelayClient> {
    const old = get().client;
    if (old) return Promise.resolve(old);
    connecting ??= openConnection().finally(() => {
      connecting = null;
    });
    return connecting;
  }

  async function openConnection(): Promise<RelayClient> {
    // socket.io-client loads with the first multiplayer action, not with the home page.
    const { createRelayClient } = await import('@aikon/protocol/client');
    const client = createRelayClient(relayUrl(), { resumeStorage: storage('session'), readyWhen: 'manual' });
    try {
      await client.connect();
    } catch (err) {
      client.close();
      throw new Error(
        `Could not reach the relay server (${errorText(err)}). ` +
          'Multiplayer needs the game served by the relay: npm start.',
      );
    }
    offs = [
      client.onLobby((lobby) => {
        set({ lobby });
        if (lobby.status === 'running') enterGame();
      }),
      client.onError((e) => {
        // Refusals of per-tick intents (e.g. a key pressed the tick one died) are not news.
        if (e.event === 'game:action') return;
        if (e.code === 'bad_resume_token' && get().client === client && get().lobby) {
          // After a long disconnection (or a server restart) the membership is gone: start over.
          teardown();
          set({ notice: `You lost your place in the lobby: ${e.message}.` });
          return;
        }
        set({ error: e.message });
      }),
      client.onConnection((connected) => set({ connected })),
      client.onRemoved(({ kicked, takenOver }) => {
        const notice = takenOver
          ? 'You continued in another tab or window: this one left the lobby.'
          : kicked
            ? 'The host removed you from the lobby.'
            : 'The lobby was closed.';
        teardown();
        set({ notice });
      }),
    ];
    set({ client, connected: true });
    return client;
  }

  /** The lobby runs: play it through a RelayGameSource (once per membership). */
  let gameSource: RelayGameSource | null = null;
  function enterGame(): void {
    const { client, lobby } = get();
    if (!client || !lobby) return;
    // Once per membership, even while another source (e.g. a dream) stands in for it.
    if (gameSource && gameSource.client === client && !gameSource.disposed) return;
    gameSource = new RelayGameSource(client, { onDispose: () => void get().leave() });
    useGame.getState().play(gameSource, lobby.config.seed);
  }

  /** Closes the connection and returns to the home screen (no server request). */
  function teardown(): void {
    const { client } = get();
    for (const off of offs) off();
    offs = [];
    set({ client: null, lobby: null, memberId: null, inviteUrl: null, view: 'none', busy: false, inviteCode: null });
    const game = useGame.getState();
    const source = gameSource;
    gameSource = null;
    if (source && game.screen === 'game' && (game.source === source || game.source?.kind !== 'solo')) game.goHome();
    source?.dispose();
    client?.close();
    clearLobbyFromAddress();
  }

  function joined(result: { lobby: LobbyState; memberId: string; inviteUrl: string }): void {
    set({
      lobby: result.lobby,
      memberId: result.memberId,
      inviteUrl: result.inviteUrl,
      view: 'lobby',
      busy: false,
      error: null,
      notice: null,
      inviteCode: null,
      takeoverCode: null,
    });
    showLobbyInAddress(result.lobby.code);
    if (result.lobby.status === 'running') enterGame();
  }

  function rememberName(name: string): string {
    const clean = name.trim().slice(0, 32);
    storage('local')?.setItem(NAME_KEY, clean);
    set({ name: clean });
    return clean;
  }

  return {
    view: 'none',
    inviteCode: null,
    client: null,
    lobby: null,
    memberId: null,
    inviteUrl: null,
    connected: false,
    error: null,
    notice: null,
    takeoverCode: null,
    name: storage('local')?.getItem(NAME_KEY) ?? '',
    exportConsent: storage('local')?.getItem(CONSENT_KEY) !== 'false',
    busy: false,

    setName(name) {
      set({ name });
    },

    async createLobby(rawName) {
      const name = rememberName(rawName);
      if (!name) {
        set({ error: 'Please type a display name.' });
        return false;
      }
      set({ busy: true, error: null, notice: null });
      try {
        const client = await connect();
        joined(await client.createLobby({ name, exportConsent: get().exportConsent }));
        return true;
      } catch (err) {
        fail(err);
        if (!get().lobby) teardownQuietly();
        return false;
      }
    },

    async joinLobby(codeOrLink, rawName, options = {}) {
      const code = inviteCodeFrom(codeOrLink);
      if (!code) {
        set({ error: 'That is not an invite code: paste the 22-character code or the whole invite link.' });
        return false;
      }
      const name = rememberName(rawName);
      if (!name) {
        set({ error: 'Please type a display name.' });
        return false;
      }
      set({ busy: true, error: null, notice: null, view: get().view === 'join-prompt' ? 'connecting' : get().view });
      try {
        const client = await connect();
        const takeover = options.takeover === true;
        joined(
          await client.joinLobby(code, { name, exportConsent: get().exportConsent, ...(takeover ? { takeover } : {}) }),
        );
        return true;
      } catch (err) {
        fail(err);
        // Another tab (a duplicated one shares the resume token) plays this membership.
        // (The refusal's shape, not RelayRequestError: the client module loads lazily.)
        if ((err as { error?: { code?: string } } | null)?.error?.code === 'member_connected')
          set({ takeoverCode: code, error: 'This place in the lobby is open in another tab or window.' });
        if (!get().lobby) {
          teardownQuietly();
          // Stay on the prompt of the link that was opened, with the error shown.
          if (parseInviteCode(window.location.href) === code) set({ view: 'join-prompt', inviteCode: code });
        }
        return false;
      }
    },

    async leave() {
      if (leaving) return;
      const { client } = get();
      if (!client) return;
      leaving = true;
      try {
        if (client.lobby) await client.leave().catch(() => undefined);
      } finally {
        leaving = false;
        teardown();
      }
    },

    async setConfig(change) {
      const { client } = get();
      if (!client) return;
      try {
        await client.setConfig(change);
        set({ error: null });
      } catch (err) {
        fail(err);
      }
    },

    async unban(memberId) {
      try {
        await get().client?.request('lobby:unban', { memberId });
        set({ error: null });
      } catch (err) {
        fail(err);
      }
    },

    takeOver() {
      const code = get().takeoverCode;
      if (!code) return Promise.resolve(false);
      return get().joinLobby(code, get().name, { takeover: true });
    },

    async kick(memberId) {
      try {
        await get().client?.kick(memberId);
        set({ error: null });
      } catch (err) {
        fail(err);
      }
    },

    async start() {
      const { client } = get();
      if (!client) return;
      set({ busy: true });
      try {
        await client.start();
        set({ busy: false, error: null });
      } catch (err) {
        fail(err);
      }
    },

    async setExportConsent(consent) {
      storage('local')?.setItem(CONSENT_KEY, String(consent));
      set({ exportConsent: consent });
      const { client } = get();
      if (!client?.lobby) return;
      try {
        await client.setExportConsent(consent);
      } catch (err) {
        fail(err);
      }
    },

    async respawn() {
      try {
        await get().client?.respawn();
        set({ error: null });
      } catch (err) {
        fail(err);
      }
    },

    dismissError() {
      set({ error: null });
    },

    openFromLocation() {
      // Once per page load (React's StrictMode runs mount effects twice in development).
      if (openedFromLocation) return;
      openedFromLocation = true;
      const code = parseInviteCode(window.location.href);
      if (!code) {
        // A broken link says so at once, and the address no longer carries it.
        if (addressNamesLobby()) {
          clearLobbyFromAddress();
          set({
            notice:
              'That invite link is broken (its code is not 22 letters, digits, ' +
              '- or _). Ask for the link again, or start your own lobby.',
          });
        }
        return;
      }
      const name = get().name;
      // A refreshed tab (resume token kept in sessionStorage) goes straight back to its body.
      if (name && storage('session')?.getItem(RESUME_KEY)) {
        set({ view: 'connecting', inviteCode: code });
        void get().joinLobby(code, name);
        return;
      }
      // Ask the relay whether the lobby exists before asking for a name.
      set({ view: 'connecting', inviteCode: code });
      void fetch(new URL(`api/lobbies/${code}`, window.location.origin).href).then(
        (res) => {
          if (get().inviteCode !== code || get().view !== 'connecting') return;
          if (res.status === 404) {
            clearLobbyFromAddress();
            set({
              view: 'none',
              inviteCode: null,
              notice: 'No open lobby has this invite link: it may have closed. Start your own, or ask for a new link.',
            });
          } else set({ view: 'join-prompt' });
        },
        // The relay cannot be asked: the prompt, whose join says what went wrong.
        () => {
          if (get().inviteCode === code && get().view === 'connecting') set({ view: 'join-prompt' });
        },
      );
    },
  };

  function teardownQuietly(): void {
    const { client } = get();
    for (const off of offs) off();
    offs = [];
    client?.close();
    set({ client: null, connected: false, view: get().view === 'connecting' ? 'none' : get().view });
  }
});

/** Test hook for the multiplayer e2e tests (no game logic). */
export interface AikonNetHook {
  state(): {
    view: LobbyView;
    connected: boolean;
    code: string | null;
    memberId: string | null;
    status: string | null;
    members: { name: string; host: boolean; connected: boolean; slot: number | null; exportConsent: boolean }[];
    error: string | null;
    mirror: {
      t: number;
      slot: number | null;
      players: { slot: number; id: number; x: number; y: number; dead: boolean }[];
      /** This client's own body as the server last described it (its episode counts respawns). */
      self: { id: number; episode: number; dead: boolean } | null;
    } | null;
  };
}

declare global {
  interface Window {
    __aikonNet?: AikonNetHook;
  }
}

if (TEST_HOOKS && typeof window !== 'undefined') {
  window.__aikonNet = {
    state() {
      const s = useLobby.getState();
      const mirror = s.client?.mirror;
      return {
        view: s.view,
        connected: s.connected,
        code: s.lobby?.code ?? null,
        memberId: s.memberId,
        status: s.lobby?.status ?? null,
        members: (s.lobby?.members ?? []).map((m) => ({
          name: m.name,
          host: m.host,
          connected: m.connected,
          slot: m.slot,
          exportConsent: m.exportConsent,
        })),
        error: s.error,
        mirror: mirror?.ready
          ? {
              t: mirror.t,
              slot: mirror.slot,
              players: mirror.players().map((p) => ({ slot: p.slot, id: p.id, x: p.x, y: p.y, dead: p.dead })),
              self: mirror.self ? { id: mirror.self.id, episode: mirror.self.episode, dead: mirror.self.dead } : null,
            }
          : null,
      };
    },
  };
}
