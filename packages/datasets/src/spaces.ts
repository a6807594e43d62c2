import { ACHIEVEMENTS, ACTIONS, INVENTORY, NUM_ACTIONS, SEMANTIC_NAMES } from '@aikon/engine';
import { OBS_SIZE } from './extract.ts';

/**
 * Gymnasium spaces serialized exactly as Minari's `serialize_space` does
 * (minari/serialization.py): Box → {type, dtype, shape, low, high} with full nested
 * low/high lists (`space.low.tolist()`), Discrete → {type, dtype: "int64", start, n}; each
 * stored in metadata.json as a JSON *string*.
 */
export function observationSpaceJson(size = OBS_SIZE): string {
  const fill = (v: number) => Array.from({ length: size }, () => Array.from({ length: size }, () => [v, v, v]));
  return JSON.stringify({ type: 'Box', dtype: 'uint8', shape: [size, size, 3], low: fill(0), high: fill(255) });
}

export function actionSpaceJson(): string {
  return JSON.stringify({ type: 'Discrete', dtype: 'int64', start: 0, n: NUM_ACTIONS });
}

export const VITAL_NAMES = ['health', 'food', 'drink', 'energy'] as const;
export const ITEM_NAMES = INVENTORY.filter((n) => !(VITAL_NAMES as readonly string[]).includes(n));

export { ACHIEVEMENTS, ACTIONS, INVENTORY, SEMANTIC_NAMES };
