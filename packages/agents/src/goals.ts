/**
 * Goals the workforce accepts, and the grammar that reads them from text.
 *
 * Structured forms:  `collect wood 5`, `make iron_pickaxe`, `place furnace`,
 *                    `unlock collect_diamond`, `survive 2 days`, `all achievements`.
 * Free text (a small grammar): "get me an iron pickaxe", "find a diamond",
 *                    "chop 3 wood", "build a table", "kill a zombie", "drink some water", …
 * A goal that cannot be read, or that the rules make impossible, is refused with a reason.
 */
import { ACHIEVEMENTS, type AchievementName, INVENTORY, ITEM_MAX, type ItemName } from '@aikon/engine';
import { ITEMS, type Placeable, makeRule, placeRule, sourceOf, TOOLS } from './techtree.ts';

export type Goal =
  | { kind: 'collect'; item: ItemName; amount: number }
  | { kind: 'make'; item: ItemName }
  | { kind: 'place'; what: Placeable }
  | { kind: 'unlock'; achievement: AchievementName }
  | { kind: 'survive'; days: number }
  | { kind: 'all' };

export type GoalParse = { ok: true; goal: Goal } | { ok: false; reason: string };

const refuse = (reason: string): GoalParse => ({ ok: false, reason });
const accept = (goal: Goal): GoalParse => ({ ok: true, goal });

export function describeGoal(goal: Goal): string {
  switch (goal.kind) {
    case 'collect':
      return `collect ${goal.item} ${goal.amount}`;
    case 'make':
      return `make ${goal.item}`;
    case 'place':
      return `place ${goal.what}`;
    case 'unlock':
      return `unlock ${goal.achievement}`;
    case 'survive':
      return `survive ${goal.days} day${goal.days === 1 ? '' : 's'}`;
    case 'all':
      return 'all achievements';
  }
}

const NUMBER_WORDS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  some: 1,
  few: 3,
  couple: 2,
};

/** Words that name an item (singular and plural, materials included). */
const ITEM_WORDS: Record<string, ItemName> = {
  wood: 'wood',
  woods: 'wood',
  log: 'wood',
  logs: 'wood',
  tree: 'wood',
  trees: 'wood',
  timber: 'wood',
  stone: 'stone',
  stones: 'stone',
  rock: 'stone',
  rocks: 'stone',
  cobble: 'stone',
  coal: 'coal',
  coals: 'coal',
  iron: 'iron',
  irons: 'iron',
  ore: 'iron',
  diamond: 'diamond',
  diamonds: 'diamond',
  sapling: 'sapling',
  saplings: 'sapling',
  seed: 'sapling',
  seeds: 'sapling',
  water: 'drink',
  drink: 'drink',
  drinks: 'drink',
};

const TOOL_KINDS = ['pickaxe', 'sword'] as const;
const TIERS = ['wood', 'wooden', 'stone', 'iron'] as const;

function normalizeTier(t: string): string {
  return t === 'wooden' ? 'wood' : t;
}

function parseAmount(token: string | undefined): number | null {
  if (token === undefined) return null;
  if (/^\d+$/.test(token)) return Number(token);
  return NUMBER_WORDS[token] ?? null;
}

function checkAmount(item: ItemName, amount: number): GoalParse | null {
  if (!Number.isInteger(amount) || amount < 1)
    return refuse(`the amount must be a whole number of at least 1, got ${amount}`);
  if (amount > ITEM_MAX) return refuse(`an inventory holds at most ${ITEM_MAX} ${item}; ${amount} is impossible`);
  return null;
}

function collectGoal(item: ItemName, amount: number): GoalParse {
  const bad = checkAmount(item, amount);
  if (bad) return bad;
  const source = sourceOf(item);
  if (!source) return refuse(`no rule yields ${item}`);
  if (source.type === 'make') return refuse(`${item} is made, not collected: ask for "make ${item}"`);
  return accept({ kind: 'collect', item, amount });
}

function makeGoal(item: string): GoalParse {
  if (!makeRule(item)) {
    const known = (INVENTORY as readonly string[]).includes(item);
    return refuse(known ? `no recipe makes ${item}` : `unknown item "${item}"`);
  }
  return accept({ kind: 'make', item: item as ItemName });
}

function placeGoal(what: string): GoalParse {
  const rule = placeRule(what === 'sapling' ? 'plant' : what);
  if (!rule) return refuse(`nothing can be placed as "${what}" (placeable: stone, table, furnace, plant)`);
  return accept({ kind: 'place', what: rule.name });
}

/** The structured form: `<verb> <object> [amount]`. */
function parseStructured(tokens: string[]): GoalParse | null {
  const [verb, object, extra, more] = tokens;
  switch (verb) {
    case 'collect': {
      if (!object) return refuse('collect what? e.g. "collect wood 5"');
      const item = (INVENTORY as readonly string[]).includes(object) ? (object as ItemName) : ITEM_WORDS[object];
      if (!item) return refuse(`unknown item "${object}"`);
      const amount = extra === undefined ? 1 : parseAmount(extra);
      if (amount === null || more !== undefined) return refuse(`cannot read the amount in "${tokens.join(' ')}"`);
      return collectGoal(item, amount);
    }
    case 'make':
      if (!object || extra !== undefined) return null;
      if (object.includes('_')) return makeGoal(object);
      return null;
    case 'place':
      if (!object || extra !== undefined) return null;
      return placeGoal(object);
    case 'unlock': {
      if (!object || extra !== undefined) return refuse('unlock which achievement? e.g. "unlock collect_diamond"');
      if (!(ACHIEVEMENTS as readonly string[]).includes(object)) return refuse(`unknown achievement "${object}"`);
      return accept({ kind: 'unlock', achievement: object as AchievementName });
    }
    case 'survive': {
      if (tokens.length === 1) return refuse('survive how long? e.g. "survive 2 days"');
      return null;
    }
    case 'all':
      if (object === 'achievements' || object === undefined) return accept({ kind: 'all' });
      return null;
  }
  return null;
}

const STOP_WORDS = new Set([
  'me',
  'us',
  'please',
  'the',
  'my',
  'our',
  'for',
  'to',
  'of',
  'i',
  'we',
  'you',
  'want',
  'need',
  'would',
  'like',
  'can',
  'could',
  'go',
  'and',
  'then',
  'try',
  'new',
  'more',
  'with',
  'your',
  'workers',
  'worker',
  'team',
  'let',
  's',
  'lets',
  'it',
  'please.',
  'up',
  'down',
  'out',
  'yourself',
]);

const GET_VERBS = new Set([
  'get',
  'obtain',
  'acquire',
  'fetch',
  'bring',
  'find',
  'have',
  'give',
  'grab',
  'earn',
  'gather',
  'collect',
  'mine',
  'chop',
  'cut',
  'harvest',
  'dig',
]);
const MAKE_VERBS = new Set(['make', 'craft', 'build', 'forge', 'create', 'construct']);
const PLACE_VERBS = new Set(['place', 'put', 'set', 'plant', 'drop', 'build', 'construct']);

function findTool(words: string[]): { item?: ItemName; kind?: string } {
  for (let i = 0; i < words.length; i++) {
    const w = words[i].replace(/s$/, '');
    const joined = words[i].replace(/-/g, '_');
    if (joined.includes('_') && makeRule(joined.replace('wooden', 'wood')))
      return { item: joined.replace('wooden', 'wood') as ItemName };
    if ((TOOL_KINDS as readonly string[]).includes(w) || w === 'pick' || w === 'axe') {
      const kind = w === 'pick' || w === 'axe' ? 'pickaxe' : w;
      const prev = words[i - 1];
      if (prev && (TIERS as readonly string[]).includes(prev)) {
        const item = `${normalizeTier(prev)}_${kind}`;
        if (makeRule(item)) return { item: item as ItemName };
      }
      return { kind };
    }
  }
  return {};
}

/** The free-text grammar. */
function parseFreeText(text: string): GoalParse {
  const words = text
    .toLowerCase()
    .replace(/[^a-z0-9_\s-]/g, ' ')
    .split(/\s+/)
    .filter((w) => w.length > 0);
  if (words.length === 0) return refuse('empty goal');
  const content = words.filter((w) => !STOP_WORDS.has(w));
  const has = (...ws: string[]): boolean => ws.some((w) => words.includes(w));

  if (has('everything') || (has('all') && has('achievements', 'achievement')) || text.includes('all achievements')) {
    return accept({ kind: 'all' });
  }
  // survive N days / the night
  if (has('survive', 'stay', 'live')) {
    const i = words.findIndex((w) => w === 'day' || w === 'days' || w === 'night' || w === 'nights');
    if (i < 0) return refuse('survive how long? e.g. "survive 2 days"');
    const n = parseAmount(words[i - 1]) ?? 1;
    if (n < 1 || n > 33) return refuse(`an episode lasts 10000 steps (33 days); cannot survive ${n} days`);
    return accept({ kind: 'survive', days: n });
  }
  if (has('sleep', 'rest', 'nap')) return accept({ kind: 'unlock', achievement: 'wake_up' });
  if (has('eat', 'hunt', 'food', 'hungry')) {
    if (has('plant', 'plants', 'fruit', 'berries', 'crop', 'crops'))
      return accept({ kind: 'unlock', achievement: 'eat_plant' });
    if (has('cow', 'cows', 'beef', 'meat', 'steak', 'hunt')) return accept({ kind: 'unlock', achievement: 'eat_cow' });
    return accept({ kind: 'unlock', achievement: 'eat_cow' });
  }
  if (has('kill', 'defeat', 'fight', 'slay', 'attack', 'beat')) {
    if (has('zombie', 'zombies')) return accept({ kind: 'unlock', achievement: 'defeat_zombie' });
    if (has('skeleton', 'skeletons')) return accept({ kind: 'unlock', achievement: 'defeat_skeleton' });
    return refuse('defeat what? zombies or skeletons');
  }
  if (has('drink', 'thirsty')) return accept({ kind: 'unlock', achievement: 'collect_drink' });
  if (has('plant', 'sow') && !has('eat')) return accept({ kind: 'place', what: 'plant' });

  // Tools: "get me an iron pickaxe", "craft a stone sword".
  const tool = findTool(words);
  if (tool.item) return makeGoal(tool.item);
  if (tool.kind) return refuse(`which ${tool.kind}? wood, stone or iron`);

  // Stations: "build a table", "place a furnace", "put down stone".
  const verbAt = Math.max(
    0,
    content.findIndex((w) => GET_VERBS.has(w) || MAKE_VERBS.has(w) || PLACE_VERBS.has(w)),
  );
  const verb = content[verbAt];
  const stations = ['table', 'workbench', 'crafting', 'furnace', 'oven'];
  const station = words.find((w) => stations.includes(w.replace(/s$/, '')));
  if (station && (MAKE_VERBS.has(verb) || PLACE_VERBS.has(verb) || GET_VERBS.has(verb))) {
    return placeGoal(station.startsWith('furnace') || station === 'oven' ? 'furnace' : 'table');
  }
  if (PLACE_VERBS.has(verb) && has('stone', 'stones', 'rock', 'block')) return placeGoal('stone');

  // Resources: "find a diamond", "chop 3 wood", "gather five stones".
  if (GET_VERBS.has(verb) || MAKE_VERBS.has(verb) || content.length <= 2) {
    let amount = 1;
    let item: ItemName | undefined;
    for (const w of content.slice(GET_VERBS.has(verb) || MAKE_VERBS.has(verb) ? verbAt + 1 : 0)) {
      const n = parseAmount(w);
      if (n !== null) amount = n;
      else if (ITEM_WORDS[w]) item = ITEM_WORDS[w];
      else if ((INVENTORY as readonly string[]).includes(w)) item = w as ItemName;
    }
    if (item) {
      if (MAKE_VERBS.has(verb) && !TOOLS.has(item) && sourceOf(item)?.type === 'collect') {
        return refuse(`${item} cannot be made; it is collected (try "collect ${item}")`);
      }
      return collectGoal(item, amount);
    }
  }
  return refuse(
    `cannot understand "${text}"; try e.g. "collect wood 5", "make iron_pickaxe", ` +
      '"place table", "unlock collect_diamond", "survive 2 days", "all achievements"',
  );
}

/** Reads a goal from structured text or free text. */
export function parseGoal(input: string): GoalParse {
  if (typeof input !== 'string') return refuse('a goal must be text');
  const text = input.trim().toLowerCase();
  if (text.length === 0) return refuse('empty goal');
  if (text.length > 300) return refuse('goal text too long (300 characters at most)');
  const tokens = text.split(/\s+/);
  // "survive 2 days" structured.
  if (tokens[0] === 'survive' && tokens.length >= 2) {
    const n = parseAmount(tokens[1]);
    if (n !== null && (tokens[2] === undefined || /^(day|days|night|nights)$/.test(tokens[2]))) {
      if (n < 1 || n > 33) return refuse(`an episode lasts 10000 steps (33 days); cannot survive ${n} days`);
      return accept({ kind: 'survive', days: n });
    }
  }
  const structured = parseStructured(tokens);
  if (structured) return structured;
  return parseFreeText(text);
}

/** Validates a goal object (e.g. one returned by the natural-language adapter). */
export function validateGoal(goal: unknown): GoalParse {
  if (typeof goal !== 'object' || goal === null) return refuse('goal must be an object');
  const g = goal as Record<string, unknown>;
  switch (g.kind) {
    case 'collect': {
      if (typeof g.item !== 'string' || !(ITEMS as readonly string[]).includes(g.item))
        return refuse(`unknown item ${String(g.item)}`);
      const amount = g.amount === undefined ? 1 : Number(g.amount);
      return collectGoal(g.item as ItemName, amount);
    }
    case 'make':
      return typeof g.item === 'string' ? makeGoal(g.item) : refuse('make what?');
    case 'place':
      return typeof g.what === 'string' ? placeGoal(g.what) : refuse('place what?');
    case 'unlock':
      return typeof g.achievement === 'string' && (ACHIEVEMENTS as readonly string[]).includes(g.achievement)
        ? accept({ kind: 'unlock', achievement: g.achievement as AchievementName })
        : refuse(`unknown achievement ${String(g.achievement)}`);
    case 'survive': {
      const d = Number(g.days);
      return Number.isInteger(d) && d >= 1 && d <= 33
        ? accept({ kind: 'survive', days: d })
        : refuse(`bad survive days ${String(g.days)}`);
    }
    case 'all':
      return accept({ kind: 'all' });
  }
  return refuse(`unknown goal kind ${String(g.kind)}`);
}
