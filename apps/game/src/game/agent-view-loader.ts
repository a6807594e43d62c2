import type { AgentViewFn } from './solo-core.ts';

/**
 * The engine's agent-view renderer with the project's pixel-art atlas, or null while either
 * is not available (the HUD then says so).
 */
export async function loadAgentView(): Promise<AgentViewFn | null> {
  return null;
}
