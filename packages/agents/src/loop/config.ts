/**
 * The loop's one tuning table: the sizes of every stage of a round, for a full round on this
 * machine's 2 cores and for `--quick` (the CI proof: tiny data, few updates, a few minutes).
 */
export interface LoopSizes {
  /** Workforce (fair sense) demonstrations recorded per round; each round trains on all rounds' so far. */
  demos: number;
  /** Steps per demonstration episode at most (undefined: until death or 10,000). */
  demoMaxSteps?: number;
  /**
   * World simulator: configuration (packages/world-model src/sim/config.ts), training steps per round, wall-time bound.
   */
  sim: { config: 'tiny' | 'small'; steps: number; maxMinutes: number };
  /**
   * Behaviour cloning: policy configuration (POLICY_CONFIGS; the memory configs, whose map a dream
   * rebuilds from the recorded episode), Adam steps, batch, learning rate, wall-time bound.
   */
  bc: { config: 'tiny-memory' | 'small-memory'; steps: number; batch: number; lr: number; maxMinutes: number };
  /** Actor-critic in the round's simulator's dreams, from the BC policy. */
  imagination: {
    envs: number;
    updates: number;
    horizon: number;
    minibatch: number;
    epochs: number;
    lr: number;
    entropy: number;
    dreamSteps: number;
    /** Updates that fit only the critic before the actor moves (actor-critic.ts criticWarmup). */
    criticWarmup: number;
    /** Weight of the KL(BC policy ‖ policy) guard against learning what only the simulator pays for. */
    kl: number;
    /** A dream cut at `dreamSteps` is bootstrapped from the critic, not ended like a death (--dream-bootstrap). */
    dreamBootstrap: boolean;
    maxMinutes: number;
  };
  /** Real-engine evaluation: episodes on episodeSeed(seed, k), never trained on. */
  evaluation: { episodes: number; seed: number; temperature: number };
  /** Greedy open-loop rollouts of the held-out recorded episodes that score the simulator. */
  simRollouts: number;
}

export const LOOP_SIZES: Record<'full' | 'quick', LoopSizes> = {
  full: {
    demos: 50,
    sim: { config: 'small', steps: 4000, maxMinutes: 10 },
    bc: { config: 'small-memory', steps: 3000, batch: 256, lr: 1e-3, maxMinutes: 12 },
    imagination: {
      envs: 32,
      updates: 200,
      horizon: 64,
      minibatch: 512,
      epochs: 1,
      lr: 1e-4,
      entropy: 0.01,
      dreamSteps: 15,
      criticWarmup: 8,
      kl: 0.5,
      dreamBootstrap: true,
      maxMinutes: 6,
    },
    evaluation: { episodes: 100, seed: 0, temperature: 1 },
    simRollouts: 128,
  },
  quick: {
    demos: 6,
    demoMaxSteps: 300,
    sim: { config: 'tiny', steps: 150, maxMinutes: 1 },
    bc: { config: 'tiny-memory', steps: 300, batch: 64, lr: 3e-3, maxMinutes: 1.5 },
    imagination: {
      envs: 8,
      updates: 4,
      horizon: 16,
      minibatch: 64,
      epochs: 1,
      lr: 2e-4,
      entropy: 0.01,
      dreamSteps: 15,
      criticWarmup: 1,
      kl: 0.5,
      dreamBootstrap: true,
      maxMinutes: 0.5,
    },
    evaluation: { episodes: 30, seed: 0, temperature: 1 },
    simRollouts: 16,
  },
};

/** World seeds of round r's demonstrations come from generateSessions(seed = DEMO_SEED_BASE + r). */
export const DEMO_SEED_BASE = 7000;
/** Names in a round's candidate models directory and, once registered, in the target manifest. */
export const LOOP_NAMES = {
  sim: 'world-sim-loop',
  bc: 'loop-bc',
  imagination: 'loop-imagination',
  registered: 'loop-policy',
} as const;
