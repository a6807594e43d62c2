/** Task specifications shared by the planner, the commander and the executors. */
import { Achievement, type AchievementName, type ItemName, type MaterialName } from '@aikon/engine';
import type { Placeable } from './techtree.ts';

export type TaskSpec =
  | { kind: 'collect'; material: MaterialName; item: ItemName; amount: number }
  | { kind: 'place'; what: Placeable; near?: readonly MaterialName[] }
  | { kind: 'make'; item: ItemName }
  | { kind: 'defeat'; creature: 'zombie' | 'skeleton' }
  | { kind: 'eat'; food: 'cow' | 'plant' }
  | { kind: 'sleep' }
  | { kind: 'survive'; steps: number };

/** The achievement whose counter measures a task's progress (null for survive). */
export function taskAchievement(spec: TaskSpec): AchievementName | null {
  switch (spec.kind) {
    case 'collect':
      return `collect_${spec.item}` as AchievementName;
    case 'place':
      return `place_${spec.what}` as AchievementName;
    case 'make':
      return `make_${spec.item}` as AchievementName;
    case 'defeat':
      return `defeat_${spec.creature}` as AchievementName;
    case 'eat':
      return `eat_${spec.food}` as AchievementName;
    case 'sleep':
      return 'wake_up';
    case 'survive':
      return null;
  }
}

export function achievementIndex(spec: TaskSpec): number {
  const name = taskAchievement(spec);
  return name === null ? -1 : Achievement[name];
}

/** How many counter increments complete the task. */
export function taskAmount(spec: TaskSpec): number {
  return spec.kind === 'collect' ? spec.amount : 1;
}

export function describeTask(spec: TaskSpec): string {
  switch (spec.kind) {
    case 'collect':
      return `collect ${spec.item} ×${spec.amount} (from ${spec.material})`;
    case 'place':
      return `place ${spec.what}${spec.near && spec.near.length > 0 ? ` near ${spec.near.join('+')}` : ''}`;
    case 'make':
      return `make ${spec.item}`;
    case 'defeat':
      return `defeat ${spec.creature}`;
    case 'eat':
      return `eat ${spec.food}`;
    case 'sleep':
      return 'sleep until wake-up';
    case 'survive':
      return `survive ${spec.steps} steps`;
  }
}

/** Step budget before an executor gives a task up. */
export function taskTimeout(spec: TaskSpec): number {
  switch (spec.kind) {
    case 'collect':
      return spec.material === 'diamond' ? 3000 : spec.material === 'grass' ? 400 : 600 + 150 * spec.amount;
    case 'place':
      return 400;
    case 'make':
      return 500;
    case 'defeat':
      return spec.creature === 'skeleton' ? 2500 : 1500;
    case 'eat':
      return spec.food === 'plant' ? 3000 : 800;
    case 'sleep':
      return 1200;
    case 'survive':
      return spec.steps + 10;
  }
}
