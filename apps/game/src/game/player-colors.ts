/**
 * Colours that tell players apart in a shared world: the avatar of another player is tinted
 * with its slot's colour (the own avatar keeps the model's colours), and the member list
 * shows the same swatch.
 */
const PALETTE = ['#ff6b6b', '#4dabf7', '#ffd43b', '#b197fc', '#63e6be', '#ff922b', '#f783ac', '#a9e34b'];

export function playerColor(slot: number): string {
  return PALETTE[((slot % PALETTE.length) + PALETTE.length) % PALETTE.length];
}
