import { z } from 'zod';
import { ACHIEVEMENTS, INVENTORY } from '@aikon/engine';
import { CONTROL_CHARACTER_RE } from './constants.ts';

/**
 * Socket events of the AI workforce in a lobby (workforce protocol version 1, additive to
 * protocol version 1: older clients never send or read them).
 *
 * Client → server (validated like every other event; each may carry an ack):
 *   workforce:add       { name, brain? }              host only          → { workerId }
 *   workforce:remove    { workerId }                  host only
 *   workforce:goal      { text } | { goal }           commanders         → WorkforceGoalResult
 *   workforce:approve   { planId, approve }           host only (the approval gate)
 *   workforce:kill      {}                            commanders         (kill switch)
 *   workforce:settings  { approval?, commanders? }    host only
 *   workforce:audit     {}                            members            → { lines: AuditLine[] }
 * Server → client: `workforce:state` (WorkforceState) to the lobby's room whenever it changes
 * (at most a few times a second), and to a member on join/resume.
 */
export const WORKFORCE_VERSION = 1;
/** AI workers per lobby (they also take seats). */
export const WORKFORCE_MAX_WORKERS = 20;

export const WorkerId = z.string().min(1).max(64);
/** Same rule as a member's display name (kept here: events.ts imports this module). */
const WorkerName = z
  .string()
  .trim()
  .min(1, 'name must not be empty')
  .max(32, 'name must be at most 32 characters')
  .refine((s) => !CONTROL_CHARACTER_RE.test(s), 'name must not contain control characters');

/** A goal in structured form (the same goals the grammar reads from text). */
export const StructuredGoal = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('collect'), item: z.enum(INVENTORY), amount: z.int().min(1).max(99) }),
  z.strictObject({ kind: z.literal('make'), item: z.enum(INVENTORY) }),
  z.strictObject({ kind: z.literal('place'), what: z.string().regex(/^[a-z_]{1,32}$/) }),
  z.strictObject({ kind: z.literal('unlock'), achievement: z.enum(ACHIEVEMENTS) }),
  z.strictObject({ kind: z.literal('survive'), days: z.int().min(1).max(100) }),
  z.strictObject({ kind: z.literal('all') }),
]);
export type StructuredGoal = z.infer<typeof StructuredGoal>;

/**
 * A worker's brain: scripted (planner + commander + skills), learned (the relay's policy from
 * the fair view alone) or hybrid (skills run the planner's tasks and the survival reflexes; the
 * policy acts where no skill applies). Who chose each action is one of ACTING_BRAINS.
 */
export const WorkerBrain = z.enum(['scripted', 'learned', 'hybrid']);
export type WorkerBrain = z.infer<typeof WorkerBrain>;
export const ACTING_BRAINS = ['scripted', 'learned'] as const;
export type ActingBrain = (typeof ACTING_BRAINS)[number];

export const WorkforceAddRequest = z.strictObject({ name: WorkerName, brain: WorkerBrain.optional() });
export const WorkforceRemoveRequest = z.strictObject({ workerId: WorkerId });
export const WorkforceGoalRequest = z.union([
  z.strictObject({ text: z.string().trim().min(1, 'type a goal').max(200) }),
  z.strictObject({ goal: StructuredGoal }),
]);
export type WorkforceGoalRequest = z.infer<typeof WorkforceGoalRequest>;
export const WorkforceApproveRequest = z.strictObject({ planId: z.int().min(0), approve: z.boolean() });
export type WorkforceApproveRequest = z.infer<typeof WorkforceApproveRequest>;
export const CommandersSetting = z.enum(['host', 'all']);
export type CommandersSetting = z.infer<typeof CommandersSetting>;
export const WorkforceSettingsRequest = z
  .strictObject({ approval: z.boolean().optional(), commanders: CommandersSetting.optional() })
  .refine((v) => v.approval !== undefined || v.commanders !== undefined, 'nothing to change');
export type WorkforceSettingsRequest = z.infer<typeof WorkforceSettingsRequest>;

// ---- server → client ----------------------------------------------------------------

export const PlanTaskState = z.enum(['pending', 'assigned', 'done', 'dropped']);
export type PlanTaskState = z.infer<typeof PlanTaskState>;

export const PlanTaskView = z.object({
  id: z.int(),
  label: z.string(),
  deps: z.array(z.int()),
  lane: z.int(),
  state: PlanTaskState,
  /** Worker running (or that ran) the task. */
  workerId: z.string().nullable(),
});
export type PlanTaskView = z.infer<typeof PlanTaskView>;

export const PlanView = z.object({
  /** Increases with every plan (proposals, approvals and re-plans). */
  planId: z.int(),
  goal: z.string(),
  /** Who gave the goal (display name). */
  by: z.string(),
  /** awaiting = waiting for the host's approval; running; done; abandoned (reason in `note`); rejected. */
  status: z.enum(['awaiting', 'running', 'done', 'abandoned', 'rejected', 'stopped']),
  note: z.string().nullable(),
  tasks: z.array(PlanTaskView),
});
export type PlanView = z.infer<typeof PlanView>;

export const WorkerView = z.object({
  workerId: z.string(),
  name: z.string(),
  /** Slot in the world (null before start). */
  slot: z.int().nullable(),
  status: z.enum(['waiting', 'idle', 'working', 'dead', 'stopped']),
  /** Task label it runs, if any. */
  task: z.string().nullable(),
  /** What it does right now and why (the executor's activity or reflex). */
  activity: z.string(),
  health: z.int().nullable(),
  /** Its brain (absent from older servers: scripted). */
  brain: WorkerBrain.optional(),
  /** Who chose its last action. */
  acting: z.enum(ACTING_BRAINS).nullable().optional(),
});
export type WorkerView = z.infer<typeof WorkerView>;

export const AuditLine = z.object({
  seq: z.int(),
  /** Wall-clock time (ISO). */
  at: z.string(),
  /** World tick (0 before start). */
  t: z.int(),
  /** A member's display name, a worker's name, 'commander' or 'planner'. */
  who: z.string(),
  what: z.string(),
});
export type AuditLine = z.infer<typeof AuditLine>;

export const WorkforceSettings = z.object({ approval: z.boolean(), commanders: CommandersSetting });
export type WorkforceSettings = z.infer<typeof WorkforceSettings>;

export const WorkforceState = z.object({
  v: z.literal(WORKFORCE_VERSION),
  settings: WorkforceSettings,
  /** Kill switch pulled: workers send noop until a new goal is accepted. */
  stopped: z.boolean(),
  workers: z.array(WorkerView),
  plan: PlanView.nullable(),
  /** The latest audit lines (the whole log: workforce:audit or GET /api/lobbies/CODE/audit). */
  audit: z.array(AuditLine),
  /**
   * Who reads free-text goals: the relay's language-model endpoint (its model name) when one is
   * configured, with the goal grammar as the fallback; null: the grammar alone.
   */
  languageModel: z.string().nullable().optional(),
  auditTotal: z.int(),
});
export type WorkforceState = z.infer<typeof WorkforceState>;

/** Ack data of workforce:goal. */
export const WorkforceGoalResult = z.object({
  goal: z.string(),
  planId: z.int(),
  tasks: z.int(),
  /** true when the plan waits for the host's approval. */
  awaitingApproval: z.boolean(),
  /** Who read the text: the language-model endpoint or the goal grammar (absent for structured goals). */
  via: z.enum(['endpoint', 'grammar']).optional(),
  /** Why the endpoint was not used when one is configured (timeout, bad answer, …). */
  note: z.string().optional(),
});
export type WorkforceGoalResult = z.infer<typeof WorkforceGoalResult>;
