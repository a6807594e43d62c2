/** Small item icons for the HUD: the project's sprites when listed, coloured tiles otherwise. */
import { INVENTORY } from '@aikon/engine';

export const VITAL_COLORS: Record<string, string> = {
  health: '#f43f5e',
  food: '#f59e0b',
  drink: '#38bdf8',
  energy: '#facc15',
};

const COLORS: Record<string, [string, string]> = {
  sapling: ['#4ade80', 'Sa'],
  wood: ['#a16207', 'Wd'],
  stone: ['#94a3b8', 'St'],
  coal: ['#334155', 'Co'],
  iron: ['#d6a77a', 'Fe'],
  diamond: ['#67e8f9', 'Di'],
  wood_pickaxe: ['#a16207', 'P1'],
  stone_pickaxe: ['#94a3b8', 'P2'],
  iron_pickaxe: ['#d6a77a', 'P3'],
  wood_sword: ['#a16207', 'S1'],
  stone_sword: ['#94a3b8', 'S2'],
  iron_sword: ['#d6a77a', 'S3'],
  table: ['#b45309', 'Tb'],
  furnace: ['#57534e', 'Fu'],
  plant: ['#4ade80', 'Pl'],
};

/** The inventory's 16 entries (the engine's list) each have a sprite. */
const ITEMS: ReadonlySet<string> = new Set(INVENTORY);
/** The project's sprite (public/textures/sprites/) that shows an item or a placed thing. */
export function spriteOf(name: string): string | null {
  if (ITEMS.has(name)) return `icon-${name}`;
  if (name === 'table' || name === 'furnace') return name;
  if (name === 'plant') return 'sapling';
  return null;
}

export function ItemIcon({ name, size }: { name: string; size: number }) {
  const sprite = spriteOf(name);
  if (sprite) {
    return (
      <img
        src={`textures/sprites/${sprite}.png`}
        width={size}
        height={size}
        className="pixelated shrink-0"
        alt={name.replace(/_/g, ' ')}
        draggable={false}
      />
    );
  }
  const [color, text] = COLORS[name] ?? ['#64748b', name.slice(0, 2)];
  return (
    <span
      className="inline-flex shrink-0 items-center justify-center rounded font-mono font-bold text-black/70"
      style={{ width: size, height: size, background: color, fontSize: Math.max(8, size * 0.38) }}
    >
      {text}
    </span>
  );
}
