/**
 * The engine's version, recorded with every session so a log names the rules it ran on.
 * Kept equal to packages/engine/package.json's version (a test checks it); bump both when
 * a change alters what a seed and joint actions produce.
 */
export const ENGINE_VERSION = '0.1.0';
