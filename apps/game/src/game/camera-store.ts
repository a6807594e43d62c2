import { create } from 'zustand';

/**
 * The follow camera as the scene last drew it: its azimuth in quarter turns (0: looking north,
 * the map's "up"; WASD is camera-relative by it) and the world tile it centres on (x, y in map
 * coordinates; null before the scene's first frame). The scene writes it when either changes.
 */
export interface CameraView {
  quadrant: number;
  focus: { x: number; y: number } | null;
}

export const useCameraView = create<CameraView>(() => ({ quadrant: 0, focus: null }));

/** Records the camera's view (a new state only when it moved or turned a quarter). */
export function setCameraView(quadrant: number, x: number, y: number): void {
  const { quadrant: q, focus } = useCameraView.getState();
  if (q === quadrant && focus?.x === x && focus.y === y) return;
  useCameraView.setState({ quadrant, focus: { x, y } });
}
