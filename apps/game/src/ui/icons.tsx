/** Small item icons for the HUD: the project's sprites when listed, coloured tiles otherwise. */

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

/** Sprite file names under public/textures/sprites/ (filled in when the atlas lands). */
export const SPRITES = new Set<string>();

export function ItemIcon({ name, size }: { name: string; size: number }) {
  if (SPRITES.has(name)) {
    return <img src={`textures/sprites/${name}.png`} width={size} height={size} className="pixelated" alt={name} />;
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
