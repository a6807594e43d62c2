export * from './constants.ts';
export * from './rules.ts';
export { Rng, mixSeed } from './rng.ts';
export { Entity, Player } from './entity.ts';
export { World, assertAction, assertSeed, type JointAction, type WorldMode, type WorldOptions } from './world.ts';
export { SnapshotError, SNAPSHOT_VERSION, hashBytes } from './snapshot.ts';
export { playerDamage, nearby } from './player-update.ts';
