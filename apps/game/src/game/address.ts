/**
 * The solo game's seed in the address bar (`?seed=N`), so that a copied link or a refresh opens
 * the same world (App reads `?seed=` at load). Browser-only; a no-op without `window` (tests).
 */
export function showSeedInAddress(seed: number): void {
  if (typeof window === 'undefined') return;
  const url = new URL(window.location.href);
  if (url.searchParams.get('seed') === String(seed)) return;
  url.searchParams.set('seed', String(seed));
  window.history.replaceState(null, '', url);
}

export function clearSeedFromAddress(): void {
  if (typeof window === 'undefined') return;
  const url = new URL(window.location.href);
  if (!url.searchParams.has('seed')) return;
  url.searchParams.delete('seed');
  window.history.replaceState(null, '', url);
}
