/**
 * In the dream, the world outside the predicted 9×7 window is only as last seen: a violet
 * mist over it (four translucent boxes around the window) marks what the model does not show.
 */
import { useGame } from '../game/store.ts';
import type { DreamGameFrame } from './dream-frame.ts';

const N = 64;
const LOW = -1.05;
const HIGH = 2.4;

export function DreamFog() {
  const dream = useGame((s) => (s.frame as DreamGameFrame | null)?.dream);
  if (!dream) return null;
  const x0 = dream.x0 - 0.5;
  const x1 = dream.x0 + 9 - 0.5;
  const y0 = dream.y0 - 0.5;
  const y1 = dream.y0 + 7 - 0.5;
  const lo = -20;
  const hi = N + 20;
  // [minX, maxX, minZ, maxZ] of each box.
  const boxes: [number, number, number, number][] = [
    [lo, x0, lo, hi],
    [x1, hi, lo, hi],
    [x0, x1, lo, y0],
    [x0, x1, y1, hi],
  ];
  return (
    <group>
      {boxes.map(([ax, bx, az, bz], k) => (
        <mesh key={k} position={[(ax + bx) / 2, (LOW + HIGH) / 2, (az + bz) / 2]} renderOrder={10}>
          <boxGeometry args={[Math.max(0.01, bx - ax), HIGH - LOW, Math.max(0.01, bz - az)]} />
          <meshBasicMaterial color="#2e1065" transparent opacity={0.55} depthWrite={false} />
        </mesh>
      ))}
    </group>
  );
}
