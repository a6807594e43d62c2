import { useEffect, useRef, useState } from 'react';
import { ACHIEVEMENTS, ACTIONS, INVENTORY, Action, DAY_LENGTH, PROTECTION_HELD } from '@aikon/engine';
import { myPlayer, useGame } from '../game/store.ts';
import { CONTROLS } from '../game/input.ts';
import { MAX_TICK_RATE, MIN_TICK_RATE, type CraftOption, type GameFrame } from '../game/protocol.ts';
import { renderStats } from '../game/stats.ts';
import { ItemIcon, VITAL_COLORS } from './icons.tsx';
import { facingHint } from '../game/hint.ts';
import { AutopilotBadge } from '../autopilot/AutopilotBadge.tsx';
import { isTouchDevice } from '../game/touch.ts';
import { AUTOPILOT_KEY_LABEL, useAutopilot } from '../autopilot/autopilot-store.ts';
import type { DreamGameFrame } from '../dream/dream-frame.ts';

const label = (name: string) => name.replace(/_/g, ' ');
const keyOf = (action: number) => CONTROLS.find((c) => c.action === action)?.keys ?? '';

export function Hud() {
  const frame = useGame((s) => s.frame);
  const helpOpen = useGame((s) => s.helpOpen);
  const devOpen = useGame((s) => s.devOpen);
  const error = useGame((s) => s.error);
  const me = myPlayer(frame);
  const layout = useLayout();
  const compact = layout === 'compact';
  const network = useGame((s) => s.source?.kind === 'network');
  return (
    <div className="pointer-events-none absolute inset-0 text-sm">
      {me && <Effects health={me.inventory[0]} sleeping={me.sleeping} />}
      {me && compact && <CompactHud inventory={me.inventory} />}
      {me && !compact && (
        <>
          {/* In a lobby the member list stands below this column: it ends above it (--members-clearance). */}
          <div
            data-testid="hud-left"
            className={
              'absolute left-2 top-2 flex max-h-[calc(100%-max(7.5rem,var(--members-clearance,0px)))] ' +
              'flex-col gap-2 overflow-y-auto overflow-x-hidden [scrollbar-width:thin]'
            }
          >
            <Vitals inventory={me.inventory} sleeping={me.sleeping} />
            <Inventory inventory={me.inventory} />
            <Achievements achievements={me.achievements} startOpen={layout === 'large'} />
          </div>
          <TopBar>
            {!me.dead && me.protection !== undefined && (
              <ProtectionBadge ticks={me.protection} tickRate={frame!.tickRate} />
            )}
          </TopBar>
          <div
            data-testid="hud-right"
            className={
              'absolute right-2 top-2 flex max-h-[calc(100%-7.5rem)] flex-col ' +
              'items-end gap-2 overflow-y-auto overflow-x-hidden [scrollbar-width:thin]'
            }
          >
            {!network && <AgentView small={layout !== 'large'} />}
            <CraftPanel options={frame!.craft} startOpen={layout === 'large'} />
          </div>
          <Controls />
          <FacingHint />
        </>
      )}
      {me && compact && !me.dead && me.protection !== undefined && (
        <ProtectionBadge
          ticks={me.protection}
          tickRate={frame!.tickRate}
          className="absolute left-1/2 top-11 -translate-x-1/2"
        />
      )}
      {me && !me.dead && <AutopilotBadge />}
      <Toasts />
      <Notice />
      <PauseOverlay />
      {frame?.over && <DeathScreen />}
      {helpOpen && <Help />}
      {devOpen && <DevOverlay />}
      {error && (
        <div
          role="alert"
          className={
            'pointer-events-auto absolute bottom-24 left-1/2 -translate-x-1/2 ' +
            'rounded-lg bg-rose-900/90 px-4 py-2 text-rose-100'
          }
        >
          {error}
        </div>
      )}
    </div>
  );
}

type Layout = 'compact' | 'medium' | 'large';

/**
 * Below 640×420 the full HUD would cover the world: a compact one. Up to 1100×800 the
 * achievements start folded and the agent view is smaller.
 */
function measureLayout(): Layout {
  const w = window.innerWidth;
  const h = window.innerHeight;
  if (w < 640 || h < 420) return 'compact';
  return w < 1100 || h < 800 ? 'medium' : 'large';
}

function useLayout(): Layout {
  const [layout, setLayout] = useState(measureLayout);
  useEffect(() => {
    const onResize = () => setLayout(measureLayout());
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  return layout;
}

function CompactHud({ inventory }: { inventory: number[] }) {
  return (
    <div
      className={
        'absolute inset-x-1 top-1 flex flex-wrap items-center gap-x-2 ' +
        'gap-y-0.5 rounded bg-slate-950/70 px-2 py-0.5 text-[11px]'
      }
    >
      {(['health', 'food', 'drink', 'energy'] as const).map((name, i) => (
        <span key={name} className="flex items-center gap-0.5 tabular-nums">
          <ItemIcon name={name} size={12} />
          {inventory[i]}
        </span>
      ))}
      {/* A phone has no keyboard: Pause, Help and Leave are buttons big enough for a finger. */}
      <div className="ml-auto flex gap-1 py-0.5">
        <MenuButtons className={`${MENU_BUTTON} h-8 min-w-12`} />
      </div>
      {/* A phone cannot enlarge its window: the note is for small desktop windows. */}
      {!isTouchDevice() && (
        <span data-testid="compact-note" className="w-full text-slate-400">
          Small window: enlarge it for the full HUD.
        </span>
      )}
    </div>
  );
}

const MENU_BUTTON =
  'pointer-events-auto select-none whitespace-nowrap rounded-lg border border-white/15 ' +
  'bg-slate-900/80 px-2 py-1 text-xs text-slate-100 shadow hover:bg-slate-700 active:bg-emerald-700';

/**
 * Pause (solo, or a lobby's host: for everyone), Help and Quit / Leave, in both HUD layouts;
 * `children` (the full layout's Mute and Autopilot) stand before Quit.
 */
function MenuButtons({ className, children }: { className: string; children?: React.ReactNode }) {
  const paused = useGame((s) => s.paused);
  const setPaused = useGame((s) => s.setPaused);
  const setHelp = useGame((s) => s.setHelp);
  const goHome = useGame((s) => s.goHome);
  const network = useGame((s) => s.source?.kind === 'network');
  const canPause = useGame((s) => s.source?.pausable !== false || s.source.sharedPause === true);
  return (
    <>
      {canPause && (
        <button
          type="button"
          data-testid="pause"
          className={className}
          onClick={() => setPaused(!paused)}
          title={network ? 'Pauses the world for everyone in the lobby (Esc)' : 'Esc'}
        >
          {paused ? 'Resume' : 'Pause'}
        </button>
      )}
      <button type="button" data-testid="help-open" className={className} onClick={() => setHelp(true)}>
        Help
      </button>
      {children}
      <button type="button" data-testid="quit" className={className} onClick={goHome}>
        {network ? 'Leave' : 'Quit'}
      </button>
    </>
  );
}

/** Red flash when hurt; darkness and a note while asleep. */
function Effects({ health, sleeping }: { health: number; sleeping: boolean }) {
  const last = useRef(health);
  const [hurtAt, setHurtAt] = useState(0);
  useEffect(() => {
    if (health < last.current) setHurtAt(performance.now());
    last.current = health;
  }, [health]);
  useEffect(() => {
    if (!hurtAt) return;
    const timer = setTimeout(() => setHurtAt(0), 450);
    return () => clearTimeout(timer);
  }, [hurtAt]);
  return (
    <>
      <div
        className="absolute inset-0 transition-opacity duration-700"
        style={{
          opacity: sleeping ? 1 : 0,
          background: 'radial-gradient(ellipse at center, rgba(2,3,12,0.35) 0%, rgba(2,3,12,0.85) 75%)',
        }}
      />
      {sleeping && (
        <div className="absolute left-1/2 top-1/3 -translate-x-1/2 text-center text-indigo-200" data-testid="sleeping">
          <div className="text-3xl font-black tracking-widest">z z z</div>
          <div className="text-xs text-indigo-300/80">Sleeping: you wake when rested, or when hurt.</div>
        </div>
      )}
      <div
        className="absolute inset-0 transition-opacity duration-300"
        style={{ opacity: hurtAt ? 1 : 0, boxShadow: 'inset 0 0 120px 30px rgba(220,20,40,0.65)' }}
      />
    </>
  );
}

function Panel({ children, className = '' }: { children: React.ReactNode; className?: string }) {
  return (
    <div className={`rounded-xl border border-white/10 bg-slate-950/70 p-2 shadow-lg ${className}`}>{children}</div>
  );
}

function Vitals({ inventory, sleeping }: { inventory: number[]; sleeping: boolean }) {
  return (
    <Panel className="w-56">
      <div data-testid="vitals" className="flex flex-col gap-1">
        {(['health', 'food', 'drink', 'energy'] as const).map((name, i) => (
          <div key={name} className="flex items-center gap-2" title={name}>
            <span className="w-12 text-xs capitalize text-slate-300">{name}</span>
            <div className="flex flex-1 gap-[2px]">
              {Array.from({ length: 9 }, (_, k) => (
                <div
                  key={k}
                  className="h-3 flex-1 rounded-sm"
                  style={{ background: k < inventory[i] ? VITAL_COLORS[name] : 'rgba(255,255,255,0.08)' }}
                />
              ))}
            </div>
            <span className="w-3 text-right text-xs tabular-nums text-slate-200">{inventory[i]}</span>
          </div>
        ))}
        {sleeping && <div className="text-center text-xs text-indigo-300">Sleeping… zzz</div>}
      </div>
    </Panel>
  );
}

function Inventory({ inventory }: { inventory: number[] }) {
  const items = INVENTORY.map((name, i) => ({ name, count: inventory[i] })).slice(4);
  const held = items.filter((it) => it.count > 0);
  return (
    <Panel className="w-56">
      <div className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-400">Inventory</div>
      {held.length === 0 ? (
        <div className="text-xs text-slate-500">Empty: face a tree and press Space.</div>
      ) : (
        <div data-testid="inventory" className="grid grid-cols-4 gap-1">
          {held.map((it) => (
            <div
              key={it.name}
              className="relative flex h-11 items-center justify-center rounded-md bg-white/5"
              title={label(it.name)}
            >
              <ItemIcon name={it.name} size={28} />
              <span className="absolute bottom-0 right-1 text-xs font-bold text-white drop-shadow">{it.count}</span>
            </div>
          ))}
        </div>
      )}
    </Panel>
  );
}

function Achievements({ achievements, startOpen }: { achievements: number[]; startOpen: boolean }) {
  const [open, setOpen] = useState(startOpen);
  useEffect(() => setOpen(startOpen), [startOpen]);
  const unlocked = achievements.filter((a) => a > 0).length;
  return (
    <Panel className="w-56">
      <button
        type="button"
        onClick={() => setOpen(!open)}
        className={
          'pointer-events-auto flex w-full justify-between text-xs ' +
          'font-semibold uppercase tracking-wide text-slate-400'
        }
        title={open ? 'fold' : 'show all 22'}
      >
        <span>{open ? '▾' : '▸'} Achievements</span>
        <span data-testid="achievement-count">
          {unlocked}/{ACHIEVEMENTS.length}
        </span>
      </button>
      <ul data-testid="achievements" className="mt-1 grid grid-cols-1 gap-x-2 text-[11px] leading-4">
        {ACHIEVEMENTS.map((name, i) => {
          const on = achievements[i] > 0;
          if (!open && !on) return null;
          return (
            <li
              key={name}
              data-achievement={name}
              data-unlocked={on ? 'true' : 'false'}
              className={on ? 'font-semibold text-emerald-300' : 'text-slate-500'}
            >
              {on ? '✓' : '·'} {label(name)}
            </li>
          );
        })}
      </ul>
    </Panel>
  );
}

/** Spawn protection: nothing can hurt the player yet (a lobby also holds a body while its page loads). */
function ProtectionBadge({ ticks, tickRate, className = '' }: { ticks: number; tickRate: number; className?: string }) {
  const held = ticks === PROTECTION_HELD;
  return (
    <div
      data-testid="protection"
      data-ticks={ticks}
      className={`${className} rounded-lg bg-sky-500/85 text-center px-3 py-0.5 text-xs font-semibold text-sky-950`}
    >
      {held
        ? 'Protected while your world loads'
        : `Protected · ${Math.ceil(ticks / tickRate)} s: nothing can hurt you yet`}
    </div>
  );
}

/** Dream steps since falling asleep, or null when awake (a dream frame's own clock runs on from the world's). */
function dreamStepOf(frame: GameFrame | null): number | null {
  return (frame as DreamGameFrame | null)?.dream?.step ?? null;
}

/**
 * Centred between the HUD's columns (14.5 rem left, 15.5 rem right): it wraps rather than reach
 * under them (a 15-digit seed at 800 px), with the protection badge below it.
 */
function TopBar({ children }: { children?: React.ReactNode }) {
  const frameT = useGame((s) => s.frame?.t ?? 0);
  const dreamStep = useGame((s) => dreamStepOf(s.frame));
  const daylight = useGame((s) => s.frame?.daylight ?? 1);
  const seed = useGame((s) => s.seed);
  const network = useGame((s) => s.source?.kind === 'network');
  const savedT = useGame((s) => s.savedT);
  const saveError = useGame((s) => s.saveError);
  // The world's step stands still in a dream (the step the player fell asleep at): waking does not jump.
  const t = dreamStep === null ? frameT : frameT - dreamStep;
  const phase = frameT % DAY_LENGTH;
  const night = daylight < 0.35;
  return (
    <div
      data-testid="hud-top"
      className="absolute left-1/2 top-2 flex max-w-[calc(100%-33rem)] -translate-x-1/2 flex-col items-center gap-1"
    >
      <Panel className="flex flex-wrap items-center justify-center gap-x-3 gap-y-0.5 px-3 py-1 text-xs text-slate-300">
        <span className={night ? 'text-indigo-300' : 'text-amber-300'}>
          {night ? 'Night' : daylight < 0.8 ? 'Dusk' : 'Day'}
        </span>
        <div className="h-1.5 w-20 overflow-hidden rounded bg-white/10" title="time of day">
          <div className="h-full bg-amber-300" style={{ width: `${(phase / DAY_LENGTH) * 100}%` }} />
        </div>
        <span
          className="tabular-nums"
          data-testid="tick"
          title={dreamStep === null ? "the world's step" : 'the step the world was at when you fell asleep'}
        >
          {dreamStep === null ? 'step' : 'world step'} {t}
        </span>
        {dreamStep !== null && (
          <span className="tabular-nums font-semibold text-violet-300" data-testid="dream-tick">
            dream step {dreamStep}
          </span>
        )}
        <span className="hidden tabular-nums sm:inline" data-testid="hud-seed">
          seed {seed}
        </span>
        {!network && (savedT !== null || saveError) && (
          <span
            data-testid="hud-saved"
            data-t={savedT ?? ''}
            className={saveError ? 'text-rose-300' : 'text-slate-500'}
            title={saveError ?? 'saved in this browser: a refresh or a later visit can continue it'}
          >
            {saveError ? 'not saved' : `saved · step ${savedT}`}
          </span>
        )}
      </Panel>
      {children}
    </div>
  );
}

/** Folded (the default below the large layout), it lists only what can be built or made here and now. */
function CraftPanel({ options, startOpen }: { options: CraftOption[]; startOpen: boolean }) {
  const press = useGame((s) => s.press);
  const [open, setOpen] = useState(startOpen);
  useEffect(() => setOpen(startOpen), [startOpen]);
  const ready = options.filter((o) => o.ok).length;
  const shown = open ? options : options.filter((o) => o.ok);
  return (
    <Panel className="w-60">
      <button
        type="button"
        data-testid="craft-toggle"
        data-open={open ? 'true' : 'false'}
        onClick={() => setOpen(!open)}
        className={
          'pointer-events-auto flex w-full justify-between text-xs ' +
          'font-semibold uppercase tracking-wide text-slate-400'
        }
        title={open ? 'fold: show only what you can make now' : 'show every recipe and what it needs'}
      >
        <span>{open ? '▾' : '▸'} Build &amp; craft</span>
        <span>{ready} ready</span>
      </button>
      <ul data-testid="craft" className="mt-1 flex flex-col gap-0.5">
        {shown.map((o) => (
          <li key={o.action}>
            <button
              type="button"
              onClick={() => press(o.action)}
              className={`pointer-events-auto flex w-full items-start gap-2 rounded-md px-1 py-0.5 text-left ${
                o.ok ? 'bg-emerald-500/20 text-emerald-100 hover:bg-emerald-500/30' : 'text-slate-400 hover:bg-white/5'
              }`}
              data-ok={o.ok ? 'true' : 'false'}
              title={ACTIONS[o.action]}
            >
              <kbd className="mt-0.5 min-w-6 rounded bg-white/10 px-1 text-center text-[10px] text-slate-200">
                {keyOf(o.action)}
              </kbd>
              <ItemIcon name={o.name} size={18} />
              <span className="flex-1">
                <span className="text-xs">
                  {o.kind === 'place' ? 'place ' : ''}
                  {label(o.name)}
                </span>
                {!o.ok && (
                  <span className="block text-[10px] leading-3 text-rose-300/80">need {o.missing.join(', ')}</span>
                )}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </Panel>
  );
}

function AgentView({ small }: { small: boolean }) {
  const on = useGame((s) => s.agentViewOn);
  const toggle = useGame((s) => s.toggleAgentView);
  const pixels = useGame((s) => s.frame?.agentView);
  const dreaming = useGame((s) => dreamStepOf(s.frame) !== null);
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = canvas.current;
    if (!c || !pixels) return;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    const image = ctx.createImageData(64, 64);
    for (let i = 0, j = 0; i < 64 * 64; i++) {
      image.data[j++] = pixels[i * 3];
      image.data[j++] = pixels[i * 3 + 1];
      image.data[j++] = pixels[i * 3 + 2];
      image.data[j++] = 255;
    }
    ctx.putImageData(image, 0, 0);
  }, [pixels]);
  return (
    <Panel className="pointer-events-auto">
      <button
        type="button"
        onClick={toggle}
        className="flex w-full justify-between gap-3 text-xs text-slate-400"
        title="V"
      >
        <span className="font-semibold uppercase tracking-wide">Agent view</span>
        <span>{on ? 'hide [V]' : 'show [V]'}</span>
      </button>
      {on &&
        (pixels ? (
          <canvas
            ref={canvas}
            width={64}
            height={64}
            data-testid="agent-view"
            className={`pixelated mt-1 rounded ${small ? 'h-32 w-32' : 'h-48 w-48'}`}
          />
        ) : dreaming ? (
          <div
            data-testid="agent-view-dream"
            className={
              'mt-1 flex h-32 w-32 items-center justify-center rounded ' +
              'bg-violet-950/50 p-3 text-center text-xs text-violet-200'
            }
          >
            In the dream the model predicts tiles, not the agent's pixels. This view returns when you wake.
          </div>
        ) : (
          <div
            className={
              'mt-1 flex h-32 w-32 items-center justify-center rounded ' +
              'bg-black/40 p-3 text-center text-xs text-slate-500'
            }
          >
            The agent view appears when the engine's renderer and textures are available.
          </div>
        ))}
    </Panel>
  );
}

function Controls() {
  const press = useGame((s) => s.press);
  const tickRate = useGame((s) => s.tickRate);
  const setTickRate = useGame((s) => s.setTickRate);
  const network = useGame((s) => s.source?.kind === 'network');
  const btn = MENU_BUTTON;
  const pad = (action: number, text: string, extra = '') => (
    <button type="button" className={`${btn} h-9 w-9 ${extra}`} onClick={() => press(action)} title={ACTIONS[action]}>
      {text}
    </button>
  );
  return (
    <div className="absolute bottom-2 left-1/2 flex w-max -translate-x-1/2 items-end gap-3">
      <div className="grid grid-cols-3 gap-1">
        <span />
        {pad(Action.move_up, 'W')}
        <span />
        {pad(Action.move_left, 'A')}
        {pad(Action.move_down, 'S')}
        {pad(Action.move_right, 'D')}
      </div>
      <div className="flex flex-col gap-1">
        <button type="button" className={`${btn} h-9 px-4`} onClick={() => press(Action.do)}>
          Interact <kbd className="text-slate-400">Space</kbd>
        </button>
        <button type="button" className={`${btn} h-9`} onClick={() => press(Action.sleep)}>
          Sleep <kbd className="text-slate-400">Tab</kbd>
        </button>
      </div>
      <div className="flex flex-col gap-1">
        <div className="flex gap-1">
          <MenuButtons className={`${btn} h-9`}>
            <MuteButton className={`${btn} h-9`} />
            <AutopilotButton className={`${btn} h-9`} />
          </MenuButtons>
        </div>
        {!network && (
          <label
            className={
              'pointer-events-auto flex items-center gap-2 rounded-lg ' +
              'bg-slate-900/80 px-2 py-1 text-xs text-slate-300'
            }
          >
            speed
            <input
              type="range"
              data-testid="tick-rate"
              min={MIN_TICK_RATE}
              max={MAX_TICK_RATE}
              value={tickRate}
              onChange={(e) => setTickRate(Number(e.target.value))}
              onKeyDown={(e) => e.preventDefault()}
              className="w-20"
            />
            <span className="w-10 tabular-nums">{tickRate}/s</span>
          </label>
        )}
      </div>
    </div>
  );
}

function FacingHint() {
  const frame = useGame((s) => s.frame);
  const me = myPlayer(frame);
  const hint = frame && me ? facingHint(frame, me) : null;
  if (!hint) return null;
  return (
    <div
      data-testid="facing-hint"
      className={
        'absolute bottom-[5.5rem] left-1/2 -translate-x-1/2 whitespace-nowrap ' +
        'rounded-lg bg-slate-950/75 px-3 py-1 text-xs text-slate-100'
      }
    >
      {hint}
    </div>
  );
}

function AutopilotButton({ className }: { className: string }) {
  const on = useAutopilot((s) => s.status === 'on' || s.status === 'loading');
  const toggle = useAutopilot((s) => s.toggle);
  return (
    <button
      type="button"
      className={className}
      onClick={toggle}
      title={`Hand your character to the learned policy (${AUTOPILOT_KEY_LABEL})`}
      data-testid="autopilot-toggle"
    >
      {on ? 'Take back' : 'Autopilot'} <kbd className="text-slate-400">{AUTOPILOT_KEY_LABEL}</kbd>
    </button>
  );
}

function MuteButton({ className }: { className: string }) {
  const muted = useGame((s) => s.muted);
  const toggle = useGame((s) => s.toggleMuted);
  return (
    <button type="button" className={className} onClick={toggle} title="M" data-testid="mute">
      {muted ? 'Unmute' : 'Mute'}
    </button>
  );
}

function Toasts() {
  const toasts = useGame((s) => s.toasts);
  const dismiss = useGame((s) => s.dismissToast);
  useEffect(() => {
    if (toasts.length === 0) return;
    const timer = setTimeout(() => dismiss(toasts[0].id), 3500);
    return () => clearTimeout(timer);
  }, [toasts, dismiss]);
  return (
    <div className="absolute left-1/2 top-12 flex -translate-x-1/2 flex-col items-center gap-2">
      {toasts.map((t) => (
        <div
          key={t.id}
          data-testid="toast"
          className={
            'toast-in rounded-xl border border-amber-300/50 ' +
            'bg-amber-400/90 px-4 py-2 font-bold text-amber-950 shadow-lg'
          }
        >
          Achievement unlocked: {label(t.achievement)}
        </div>
      ))}
    </div>
  );
}

function Notice() {
  const notice = useGame((s) => s.notice);
  if (!notice) return null;
  return (
    <div
      role="status"
      data-testid="notice"
      className="absolute bottom-28 left-1/2 -translate-x-1/2 rounded-lg bg-slate-800/90 px-4 py-2 text-slate-100"
    >
      {notice}
    </div>
  );
}

function PauseOverlay() {
  const paused = useGame((s) => s.paused);
  const over = useGame((s) => s.frame?.over ?? false);
  const setPaused = useGame((s) => s.setPaused);
  const help = useGame((s) => s.helpOpen);
  // A lobby: the host paused it for everyone; only the host resumes.
  const shared = useGame((s) => s.source?.pausable === false);
  const host = useGame((s) => s.source?.sharedPause === true);
  if (!paused || over || help) return null;
  return (
    <div className="absolute inset-0 z-30 flex items-center justify-center bg-slate-950/40">
      <div className="pointer-events-auto max-w-sm rounded-2xl bg-slate-900/90 px-8 py-6 text-center shadow-2xl">
        <div className="text-3xl font-black text-white" data-testid="paused">
          {shared ? 'Paused by the host' : 'Paused'}
        </div>
        {shared && (
          <p className="mt-2 text-sm text-slate-300" data-testid="paused-note">
            {host
              ? 'Nobody’s world ticks until you resume.'
              : 'The world waits for everyone; it goes on when the host resumes.'}
          </p>
        )}
        {(!shared || host) && (
          <button
            type="button"
            data-testid="resume"
            className="mt-4 rounded-lg bg-emerald-500 px-6 py-2 font-bold text-emerald-950"
            onClick={() => setPaused(false)}
          >
            Resume (Esc)
          </button>
        )}
      </div>
    </div>
  );
}

function DeathScreen() {
  const frame = useGame((s) => s.frame)!;
  const seed = useGame((s) => s.seed) ?? 0;
  const restart = useGame((s) => s.restart);
  const goHome = useGame((s) => s.goHome);
  const me = myPlayer(frame);
  const unlocked = me ? ACHIEVEMENTS.filter((_, i) => me.achievements[i] > 0) : [];
  const died = me?.dead ?? true;
  return (
    <div
      className="pointer-events-auto absolute inset-0 z-30 flex overflow-auto bg-black/70 p-4"
      data-testid="death-screen"
    >
      <div className="m-auto w-full max-w-lg rounded-2xl border border-white/10 bg-slate-900 p-6 shadow-2xl">
        <h2 className={`text-4xl font-black ${died ? 'text-rose-400' : 'text-emerald-300'}`}>
          {died ? 'You died' : 'Episode complete'}
        </h2>
        <dl className="mt-4 grid grid-cols-3 gap-3 text-center">
          <Stat label="steps survived" value={me?.episodeSteps ?? frame.t} />
          <Stat label="achievements" value={`${unlocked.length}/22`} />
          <Stat label="return" value={(me?.episodeReturn ?? 0).toFixed(1)} />
        </dl>
        <div className="mt-4 flex flex-wrap gap-1">
          {ACHIEVEMENTS.map((name) => (
            <span
              key={name}
              className={
                'rounded px-1.5 py-0.5 text-[11px] ' +
                `${unlocked.includes(name) ? 'bg-emerald-500/30 text-emerald-200' : 'bg-white/5 text-slate-500'}`
              }
            >
              {label(name)}
            </span>
          ))}
        </div>
        <div className="mt-6 flex flex-wrap gap-2">
          <button
            type="button"
            data-testid="restart-same"
            className="rounded-lg bg-emerald-500 px-4 py-2 font-bold text-emerald-950"
            onClick={() => restart(seed)}
          >
            Again, seed {seed}
          </button>
          <button
            type="button"
            data-testid="restart-new"
            className="rounded-lg bg-sky-500 px-4 py-2 font-bold text-sky-950"
            onClick={() => restart(Math.floor(Math.random() * 1_000_000_000))}
          >
            New world
          </button>
          <button type="button" className="rounded-lg border border-white/20 px-4 py-2 text-slate-200" onClick={goHome}>
            Home
          </button>
        </div>
      </div>
    </div>
  );
}

function Stat({ label: text, value }: { label: string; value: string | number }) {
  return (
    <div className="rounded-lg bg-white/5 p-2">
      <dd className="text-2xl font-bold tabular-nums text-white">{value}</dd>
      <dt className="text-[11px] text-slate-400">{text}</dt>
    </div>
  );
}

function Help() {
  const setHelp = useGame((s) => s.setHelp);
  const rows: [string, string][] = [
    ...CONTROLS.map((c) => [c.keys, c.label] as [string, string]),
    ['Esc', 'pause / resume'],
    ['H', 'this help'],
    ['V', 'toggle the agent view'],
    ['M', 'sound on / off'],
    [AUTOPILOT_KEY_LABEL, 'autopilot: hand your character to the learned policy; it or any action key takes it back'],
    ['`', 'development overlay'],
  ];
  return (
    // A click on the backdrop closes the help; Esc and H close it from GameScreen's key handler.
    // biome-ignore lint/a11y/useKeyWithClickEvents lint/a11y/noStaticElementInteractions: the backdrop, see above
    <div
      className="pointer-events-auto absolute inset-0 z-30 flex overflow-auto bg-black/60 p-4"
      onClick={() => setHelp(false)}
    >
      {/* biome-ignore lint/a11y/useKeyWithClickEvents lint/a11y/noStaticElementInteractions: keeps clicks inside */}
      <div
        className="m-auto w-full max-w-2xl rounded-2xl bg-slate-900 p-6 shadow-2xl"
        data-testid="help"
        onClick={(e) => e.stopPropagation()}
      >
        <h2 className="text-2xl font-black text-white">How to play</h2>
        <p className="mt-1 text-slate-400">
          Collect wood, build a table, make tools, mine deeper, and survive the night. Keep food, drink and energy up or
          you lose health.
        </p>
        <p className="mt-2 text-slate-300" data-testid="help-pace">
          The world is real-time: it runs on whether or not you press a key (8 steps a second by default; drink falls
          every few seconds and night comes within a minute). Solo play pauses with Esc and while this help is open; in
          a shared world only the host can pause (for everyone) or slow it down to 2 steps a second, so read this
          somewhere safe.
        </p>
        {isTouchDevice() && (
          <p className="mt-2 text-slate-300" data-testid="help-touch">
            On a touch screen: hold the stick (bottom left) off-centre to walk, tap Act to interact and Sleep to sleep;
            Pause, Help and Leave are at the top. The keys below work with a keyboard.
          </p>
        )}
        <ul className="mt-4 grid gap-x-6 gap-y-1 text-sm sm:grid-cols-2">
          {rows.map(([k, v]) => (
            <li key={k + v} className="flex items-center gap-3 border-b border-white/5 py-0.5">
              <kbd className="min-w-14 rounded bg-white/10 px-2 text-center font-mono text-slate-100">{k}</kbd>
              <span className="text-slate-300">{v}</span>
            </li>
          ))}
        </ul>
        <p className="mt-3 text-sm text-slate-400">
          Mouse: drag to orbit the camera, wheel to zoom. W always walks away from the camera. The outlined tile is the
          one you act on.
        </p>
        <button
          type="button"
          data-testid="help-close"
          className="mt-4 rounded-lg bg-emerald-500 px-4 py-2 font-bold text-emerald-950"
          onClick={() => setHelp(false)}
        >
          Got it
        </button>
      </div>
    </div>
  );
}

function DevOverlay() {
  const [, force] = useState(0);
  useEffect(() => {
    const id = setInterval(() => force((n) => n + 1), 500);
    return () => clearInterval(id);
  }, []);
  const frame = useGame.getState().frame;
  return (
    <div
      data-testid="dev-overlay"
      className={
        'absolute bottom-2 right-2 rounded-lg bg-black/80 px-3 py-2 font-mono text-[11px] leading-4 text-lime-300'
      }
    >
      <div>fps {renderStats.fps.toFixed(0)}</div>
      <div>
        tps {frame?.tps ?? 0} (target {frame?.tickRate ?? 0})
      </div>
      <div>draw calls {renderStats.drawCalls}</div>
      <div>triangles {renderStats.triangles}</div>
      <div>objects {(frame?.objects.length ?? 0) / 7}</div>
    </div>
  );
}
