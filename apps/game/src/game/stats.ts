/** Render statistics the 3D scene writes and the development overlay reads. */
export const renderStats = {
  fps: 0,
  drawCalls: 0,
  triangles: 0,
  frames: 0,
};
