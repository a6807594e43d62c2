/**
 * Render statistics the 3D scene writes every frame and the development overlay polls: a per-page
 * singleton (one scene per page), counters rather than state, so no store notifies on each frame.
 */
export const renderStats = {
  fps: 0,
  drawCalls: 0,
  triangles: 0,
  frames: 0,
};
