/**
 * The engine's version, recorded with every session so a log names the rules it ran on.
 * Kept equal to packages/engine/package.json's version (a test checks it); bump both when
 * a change alters what a seed and joint actions produce.
 */
// 0.2.0: terrain from OpenSimplex noise (Crafter's); 0.1.x worlds came from `simplex-noise`
// (World.generate's `terrain` option and terrainOfEngineVersion still build them for replays).
export const ENGINE_VERSION = '0.2.0';
