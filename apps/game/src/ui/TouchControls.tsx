import { type PointerEvent, useRef, useState } from 'react';
import { Action } from '@aikon/engine';
import { useGame } from '../game/store.ts';
import { stickAction } from '../game/touch.ts';

/** The stick's radius and dead zone, in CSS pixels. */
const RADIUS = 30;
const DEAD_ZONE = 14;

/**
 * On-screen controls for touch devices: a virtual stick (bottom left) that holds a move while
 * the finger is off-centre, as a held key does, and action buttons (bottom right). Camera
 * relative like the keys: up on the stick walks away from the camera.
 */
export function TouchControls() {
  return (
    // Above the Dream button (bottom left); the member list and the workforce dock move up on
    // touch devices (the game screen's data-touch) to stay clear of it.
    <div className="pointer-events-none absolute inset-x-0 bottom-0 z-10 flex items-end justify-between p-3 pb-11">
      <Stick />
      <div className="flex items-end gap-2">
        <ActionButton action={Action.sleep} label="Sleep" testId="touch-sleep" />
        <ActionButton action={Action.do} label="Act" testId="touch-do" big />
      </div>
    </div>
  );
}

function Stick() {
  const [knob, setKnob] = useState({ x: 0, y: 0 });
  const held = useRef<number | null>(null);
  const centre = useRef({ x: 0, y: 0 });

  const steer = (e: PointerEvent<HTMLDivElement>) => {
    const dx = e.clientX - centre.current.x;
    const dy = e.clientY - centre.current.y;
    const len = Math.hypot(dx, dy);
    const k = len > RADIUS ? RADIUS / len : 1;
    setKnob({ x: dx * k, y: dy * k });
    const action = stickAction(dx, dy, DEAD_ZONE);
    if (action === held.current) return;
    held.current = action;
    const game = useGame.getState();
    // A new direction moves at once (as a key press does), then keeps moving while held.
    if (action !== null) game.press(action);
    game.hold(action);
  };
  const release = () => {
    setKnob({ x: 0, y: 0 });
    if (held.current !== null) useGame.getState().hold(null);
    held.current = null;
  };

  return (
    <div
      data-testid="touch-stick"
      className={
        'pointer-events-auto relative h-24 w-24 touch-none select-none ' +
        'rounded-full border-2 border-white/25 bg-slate-950/40'
      }
      onPointerDown={(e) => {
        const box = e.currentTarget.getBoundingClientRect();
        centre.current = { x: box.left + box.width / 2, y: box.top + box.height / 2 };
        e.currentTarget.setPointerCapture(e.pointerId);
        steer(e);
      }}
      onPointerMove={(e) => {
        if (e.currentTarget.hasPointerCapture(e.pointerId)) steer(e);
      }}
      onPointerUp={release}
      onPointerCancel={release}
      onLostPointerCapture={release}
    >
      <div
        className="absolute left-1/2 top-1/2 h-12 w-12 rounded-full bg-white/45 shadow"
        style={{ transform: `translate(calc(-50% + ${knob.x}px), calc(-50% + ${knob.y}px))` }}
      />
    </div>
  );
}

function ActionButton({
  action,
  label,
  testId,
  big = false,
}: {
  action: number;
  label: string;
  testId: string;
  big?: boolean;
}) {
  return (
    <button
      type="button"
      data-testid={testId}
      onPointerDown={(e) => {
        e.preventDefault();
        useGame.getState().press(action);
      }}
      className={
        'pointer-events-auto touch-none select-none rounded-full border-2 border-white/30 bg-emerald-600/70 ' +
        `font-bold text-white shadow-lg active:bg-emerald-400 ${big ? 'h-20 w-20 text-lg' : 'h-14 w-14 text-xs'}`
      }
    >
      {label}
    </button>
  );
}
