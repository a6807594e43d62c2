/** Render statistics the 3D scene writes and the development overlay reads. */
export const renderStats = {
  fps: 0,
  drawCalls: 0,
  triangles: 0,
  frames: 0,
};

/** The follow camera's azimuth in quarter turns (0: looking north, the map's "up"). */
export const cameraView = { quadrant: 0 };
