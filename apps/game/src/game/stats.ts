/** Render statistics the 3D scene writes and the development overlay reads. */
export const renderStats = {
  fps: 0,
  drawCalls: 0,
  triangles: 0,
  frames: 0,
};

/**
 * The follow camera: its azimuth in quarter turns (0: looking north, the map's "up") and the
 * world tile it centres on (x, y in map coordinates; null before the scene's first frame).
 */
export const cameraView = { quadrant: 0, focus: null as { x: number; y: number } | null };
