/**
 * Tiny synthesized sound effects (no audio files). The AudioContext is created on the first
 * key press or click, as browsers require; until then sounds are silently skipped.
 */
export type SoundKind = 'collect' | 'place' | 'hit' | 'hurt' | 'drink' | 'eat' | 'achievement' | 'sleep' | 'death';

let context: AudioContext | null = null;
let master: GainNode | null = null;
let muted = (() => {
  try {
    return localStorage.getItem('aikon.muted') === '1';
  } catch {
    return false;
  }
})();

export function isMuted(): boolean {
  return muted;
}

export function setMuted(value: boolean): void {
  muted = value;
  try {
    localStorage.setItem('aikon.muted', value ? '1' : '0');
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  if (master) master.gain.value = value ? 0 : 0.25;
}

/** Call from a user gesture (key or pointer): creates or resumes the audio context. */
export function unlockAudio(): void {
  try {
    if (!context) {
      const Ctor =
        window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
      if (!Ctor) return;
      context = new Ctor();
      master = context.createGain();
      master.gain.value = muted ? 0 : 0.25;
      master.connect(context.destination);
    }
    if (context.state === 'suspended') void context.resume();
  } catch {
    context = null;
  }
}

function tone(freq: number, start: number, duration: number, type: OscillatorType, volume = 1, slideTo?: number): void {
  if (!context || !master) return;
  const osc = context.createOscillator();
  const gain = context.createGain();
  const t = context.currentTime + start;
  osc.type = type;
  osc.frequency.setValueAtTime(freq, t);
  if (slideTo) osc.frequency.exponentialRampToValueAtTime(slideTo, t + duration);
  gain.gain.setValueAtTime(0.0001, t);
  gain.gain.exponentialRampToValueAtTime(volume, t + 0.01);
  gain.gain.exponentialRampToValueAtTime(0.0001, t + duration);
  osc.connect(gain).connect(master);
  osc.start(t);
  osc.stop(t + duration + 0.02);
}

export function playSound(kind: SoundKind): void {
  if (muted || !context || context.state !== 'running') return;
  switch (kind) {
    case 'collect':
      tone(180, 0, 0.09, 'square', 0.5, 90);
      tone(520, 0.05, 0.08, 'triangle', 0.4);
      break;
    case 'place':
      tone(140, 0, 0.12, 'square', 0.5, 70);
      break;
    case 'hit':
      tone(300, 0, 0.08, 'sawtooth', 0.4, 120);
      break;
    case 'hurt':
      tone(160, 0, 0.25, 'sawtooth', 0.6, 60);
      break;
    case 'drink':
      tone(600, 0, 0.06, 'sine', 0.5, 900);
      tone(700, 0.07, 0.06, 'sine', 0.4, 1000);
      break;
    case 'eat':
      tone(220, 0, 0.06, 'square', 0.4);
      tone(260, 0.08, 0.06, 'square', 0.4);
      break;
    case 'achievement':
      for (const [i, f] of [523, 659, 784, 1047].entries()) tone(f, i * 0.08, 0.22, 'triangle', 0.5);
      break;
    case 'sleep':
      tone(330, 0, 0.5, 'sine', 0.3, 220);
      break;
    case 'death':
      for (const [i, f] of [392, 330, 262, 196].entries()) tone(f, i * 0.16, 0.3, 'triangle', 0.5);
      break;
  }
}
