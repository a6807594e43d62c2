/**
 * λ-returns and advantages (generalised advantage estimation) for actor-critic training, over a
 * rollout stored time-major: index t·N + i is step t of environment i. Browser-safe.
 *
 *   δ_t = r_t + γ·(1 − d_t)·V(s_{t+1}) + γ·c_t − V(s_t)
 *   A_t = δ_t + γ·λ·(1 − d_t)·A_{t+1}          R^λ_t = A_t + V(s_t)
 * where d_t = 1 when step t ended its episode (then nothing is bootstrapped across it), and
 * V(s_T) is the value of the state after the rollout's last step. An episode *cut* at step t by
 * a time limit (d_t = 1, but the player lives on) is bootstrapped from the value of the state it
 * was cut at: c_t = that value (`cutValues`, 0 where no cut), so a cut is not read as a death.
 */
export function lambdaReturns(
  o: {
    rewards: ArrayLike<number>;
    values: ArrayLike<number>;
    dones: ArrayLike<number>;
    lastValues: ArrayLike<number>;
    cutValues?: ArrayLike<number>;
    steps: number;
    envs: number;
  },
  gamma: number,
  lambda: number,
): { advantages: Float32Array; returns: Float32Array } {
  const { steps: T, envs: N } = o;
  const advantages = new Float32Array(T * N);
  const returns = new Float32Array(T * N);
  for (let i = 0; i < N; i++) {
    let next = 0;
    let nextValue = o.lastValues[i];
    for (let t = T - 1; t >= 0; t--) {
      const k = t * N + i;
      const live = 1 - o.dones[k];
      const delta = o.rewards[k] + gamma * (live * nextValue + (o.cutValues?.[k] ?? 0)) - o.values[k];
      next = delta + gamma * lambda * live * next;
      advantages[k] = next;
      returns[k] = next + o.values[k];
      nextValue = o.values[k];
    }
  }
  return { advantages, returns };
}
