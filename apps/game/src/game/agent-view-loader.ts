import { AgentViewRenderer, decodeAtlas } from '@aikon/engine';
import type { AgentViewFn } from './solo-core.ts';

let loading: Promise<AgentViewFn | null> | null = null;

/**
 * The engine's agent-view renderer (64×64 RGB, Crafter's layout) with the project's pixel-art
 * atlas; null when the atlas cannot be fetched or decoded (the HUD then says so).
 */
export function loadAgentView(atlasUrl: string): Promise<AgentViewFn | null> {
  loading ??= (async () => {
    try {
      const response = await fetch(atlasUrl);
      if (!response.ok) return null;
      const textures = decodeAtlas(new Uint8Array(await response.arrayBuffer()));
      const renderer = new AgentViewRenderer(textures, 64);
      return (world, slot) => renderer.render(world, slot).slice();
    } catch {
      return null;
    }
  })();
  return loading;
}
