/**
 * The engine's version, recorded with every session so a log names the rules it ran on.
 * Kept equal to packages/engine/package.json's version (a test checks it); bump both when
 * a change alters what a seed and joint actions produce.
 */
// 0.2.0: terrain from OpenSimplex noise (Crafter's); 0.1.x worlds came from `simplex-noise`
// (World.generate's `terrain` option and terrainOfEngineVersion still build them for replays).
// 0.3.0: in worlds with spawn protection, zombies and skeletons keep away from protected players;
// 0.2.x worlds targeted them (the `protectionRule` option and protectionRuleOfEngineVersion keep that).
export const ENGINE_VERSION = '0.3.0';
