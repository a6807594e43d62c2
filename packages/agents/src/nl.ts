/**
 * Optional natural-language adapter: asks an OpenAI-compatible chat-completions endpoint to
 * turn free text into a structured goal. Off by default; the grammar of goals.ts is the
 * fallback whenever the adapter is off, times out, fails, or answers something invalid.
 * The endpoint's answer is validated like any other input before it becomes a goal.
 */
import { ACHIEVEMENTS } from '@aikon/engine';
import { type GoalParse, parseGoal, validateGoal } from './goals.ts';
import { ITEMS } from './techtree.ts';

export interface NlConfig {
  /** Base URL, e.g. http://127.0.0.1:8000/v1 (the adapter posts to `${url}/chat/completions`). */
  url: string;
  model: string;
  apiKey?: string;
  /** Milliseconds before the request is abandoned (default 5000). */
  timeoutMs?: number;
}

export type NlResult = GoalParse & { via: 'endpoint' | 'grammar'; note?: string };

/** Reads the adapter configuration from the environment; null (off) unless both URL and model are set. */
export function nlConfigFromEnv(env: Record<string, string | undefined> = process.env): NlConfig | null {
  const url = env.AIKON_LLM_URL;
  const model = env.AIKON_LLM_MODEL;
  if (!url || !model) return null;
  const timeoutMs = env.AIKON_LLM_TIMEOUT_MS ? Number(env.AIKON_LLM_TIMEOUT_MS) : undefined;
  return { url, model, apiKey: env.AIKON_LLM_KEY, timeoutMs };
}

const SYSTEM_PROMPT = [
  'You translate a player request for a Crafter world into one JSON goal object and nothing else.',
  'Forms: {"kind":"collect","item":ITEM,"amount":1-9} | {"kind":"make","item":TOOL} |',
  '{"kind":"place","what":"stone"|"table"|"furnace"|"plant"} | {"kind":"unlock","achievement":ACHIEVEMENT} |',
  '{"kind":"survive","days":1-33} | {"kind":"all"} | {"kind":"refuse","reason":TEXT}.',
  `ITEM is one of ${ITEMS.join(', ')}. ACHIEVEMENT is one of ${ACHIEVEMENTS.join(', ')}.`,
].join('\n');

function grammar(text: string, note?: string): NlResult {
  return { ...parseGoal(text), via: 'grammar', note };
}

/** Interprets free text through the endpoint when configured, else (or on any trouble) the grammar. */
export async function interpretGoal(text: string, config: NlConfig | null = null): Promise<NlResult> {
  if (!config) return grammar(text);
  let content: string;
  try {
    const response = await fetch(`${config.url.replace(/\/$/, '')}/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}),
      },
      body: JSON.stringify({
        model: config.model,
        temperature: 0,
        messages: [
          { role: 'system', content: SYSTEM_PROMPT },
          { role: 'user', content: text.slice(0, 300) },
        ],
      }),
      signal: AbortSignal.timeout(config.timeoutMs ?? 5000),
    });
    if (!response.ok) return grammar(text, `endpoint answered HTTP ${response.status}`);
    const body = (await response.json()) as { choices?: { message?: { content?: unknown } }[] };
    const raw = body.choices?.[0]?.message?.content;
    if (typeof raw !== 'string') return grammar(text, 'endpoint answer has no message content');
    content = raw;
  } catch (error) {
    const name = (error as Error).name;
    return grammar(
      text,
      name === 'TimeoutError' || name === 'AbortError'
        ? 'endpoint timed out'
        : `endpoint unreachable: ${(error as Error).message}`,
    );
  }
  let parsed: unknown;
  try {
    const json = content.slice(content.indexOf('{'), content.lastIndexOf('}') + 1);
    parsed = JSON.parse(json);
  } catch {
    return grammar(text, 'endpoint answer is not JSON');
  }
  if (typeof parsed === 'object' && parsed !== null && (parsed as { kind?: unknown }).kind === 'refuse') {
    const reason = String((parsed as { reason?: unknown }).reason ?? 'refused');
    return { ok: false, reason, via: 'endpoint' };
  }
  const goal = validateGoal(parsed);
  if (!goal.ok) return grammar(text, `endpoint goal rejected: ${goal.reason}`);
  return { ...goal, via: 'endpoint' };
}
