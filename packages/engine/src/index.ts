export * from './constants.ts';
export * from './rules.ts';
export { Rng, mixSeed, episodeSeed } from './rng.ts';
export { Entity, Player } from './entity.ts';
export { World } from './world.ts';
export {
  WorldState,
  assertAction,
  assertSeed,
  CURRENT_PROTECTION_RULE,
  PROTECTION_HELD,
  PROTECTION_RULES,
  protectionRuleOfEngineVersion,
  SPAWN_PROTECTION_MAX,
  type JointAction,
  type ProtectionRule,
  type WorldMode,
  type WorldOptions,
} from './world-state.ts';
export { safeSpawnTile, SAFE_SPAWN_RADIUS, SAFE_SPAWN_ROOM } from './spawn.ts';
export { SnapshotError, SNAPSHOT_VERSION, hashBytes } from './snapshot.ts';
export { playerDamage, nearby } from './player-update.ts';
export {
  TEXTURE_NAMES,
  TEXTURE_SIZE,
  ATLAS_COLUMNS,
  ATLAS_WIDTH,
  ATLAS_HEIGHT,
  MATERIAL_TEXTURES,
  PLAYER_TEXTURES,
  ARROW_TEXTURES,
  ICON_TEXTURES,
  DIGIT_TEXTURES,
  atlasRect,
  textureIndex,
  decodeAtlas,
  texturesFromAtlas,
  scaleNearest,
  type TextureName,
  type IconName,
  type Textures,
} from './render/textures.ts';
export {
  AgentViewRenderer,
  localSemanticView,
  writeLocalView,
  entityTexture,
  renderNoise,
  renderNoiseKey,
  LOCAL_VIEW_SIZE,
} from './render/agent-view.ts';
export {
  CrafterEnv,
  ACTION_SPACE,
  observationSpace,
  type BoxSpace,
  type DiscreteSpace,
  type EnvOptions,
  type StepInfo,
  type StepResult,
} from './env.ts';
export {
  FAIR_VIEW_CELLS,
  FAIR_VIEW_FACING,
  FAIR_VIEW_INVENTORY,
  FAIR_VIEW_DAYLIGHT,
  FAIR_VIEW_SIZE,
  writeFairView,
} from './fair-view.ts';
export {
  VecEnv,
  allocateVecEnvBuffers,
  vecEnvBufferLengths,
  type VecEnvBuffers,
  type VecEnvOptions,
} from './vec-env.ts';
export {
  bootstrapScore,
  summarize,
  randomEpisode,
  type EpisodeOutcome,
  type EvalSummary,
  type ScoreInterval,
} from './evaluate.ts';
export { ENGINE_VERSION } from './version.ts';
export { terrainStatistics, type TerrainStatistics } from './terrain-stats.ts';
export { CURRENT_TERRAIN_NOISE, TERRAIN_NOISES, terrainOfEngineVersion, type TerrainNoise } from './worldgen.ts';
