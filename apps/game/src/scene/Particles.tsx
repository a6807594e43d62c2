import { useEffect, useMemo } from 'react';
import { useFrame } from '@react-three/fiber';
import * as THREE from 'three';
import { Material, WORLD_SIZE } from '@aikon/engine';
import { useGame } from '../game/store.ts';
import { disposeObjects, markDynamic } from './gpu-buffers.ts';
import { O_HEALTH, O_ID, O_X, O_Y, OBJECT_STRIDE, type GameFrame } from '../game/protocol.ts';

const N = WORLD_SIZE;
const CAPACITY = 600;
const LIFE = 0.8;

/** Colours of the bits a changed tile throws up, by the material it was (or became). */
const BITS: Record<number, number[]> = {
  [Material.tree]: [0x2e8b3a, 0x3fae3a, 0x6b4423],
  [Material.stone]: [0x8a8a90, 0x6d6d73, 0xa8a8ae],
  [Material.coal]: [0x222226, 0x8a8a90, 0x111111],
  [Material.iron]: [0xd6a77a, 0x8a8a90, 0xb07a50],
  [Material.diamond]: [0x9ff3ff, 0xffffff, 0x8a8a90],
  [Material.table]: [0xa06a30, 0x7a4a20],
  [Material.furnace]: [0x5a5a5e, 0xff8a30],
  [Material.grass]: [0x5cc84a, 0x3fae3a],
  [Material.sand]: [0xe0cc8c, 0xc8b070],
  [Material.path]: [0x96806a, 0x7a6450],
  [Material.water]: [0x6fb6ff, 0xd0ecff],
  [Material.lava]: [0xff7a20, 0xffd040],
};

interface Bit {
  x: number;
  y: number;
  z: number;
  vx: number;
  vy: number;
  vz: number;
  age: number;
  size: number;
}

/** Little cubes when a block is mined or placed, and when a creature is hit. */
export function Particles() {
  const mesh = useMemo(() => {
    const m = new THREE.InstancedMesh(new THREE.BoxGeometry(1, 1, 1), new THREE.MeshLambertMaterial(), CAPACITY);
    m.frustumCulled = false;
    m.count = 0;
    m.setColorAt(0, new THREE.Color());
    return markDynamic(m);
  }, []);
  useEffect(() => () => disposeObjects(mesh), [mesh]);
  const bits = useMemo<Bit[]>(() => [], []);
  const colors = useMemo<THREE.Color[]>(() => [], []);

  useEffect(() => {
    let prevMaterial: Uint8Array | null = null;
    let prevFrame: GameFrame | null = null;
    const prevHealth = new Map<number, number>();
    let seed = 1;
    const rand = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const burst = (x: number, y: number, z: number, palette: number[], count: number, power = 1) => {
      for (let k = 0; k < count; k++) {
        if (bits.length >= CAPACITY) {
          bits.shift();
          colors.shift();
        }
        bits.push({
          x: x + (rand() - 0.5) * 0.6,
          y: y + rand() * 0.5,
          z: z + (rand() - 0.5) * 0.6,
          vx: (rand() - 0.5) * 3 * power,
          vy: (1.5 + rand() * 2.5) * power,
          vz: (rand() - 0.5) * 3 * power,
          age: rand() * 0.15,
          size: 0.12 + rand() * 0.12,
        });
        colors.push(new THREE.Color(palette[Math.floor(rand() * palette.length)]));
      }
    };
    const onFrame = (frame: GameFrame | null) => {
      if (!frame || frame === prevFrame) return;
      const restart = !prevFrame || frame.seed !== prevFrame.seed || frame.t < prevFrame.t || frame.t - prevFrame.t > 5;
      prevFrame = frame;
      if (!restart && prevMaterial) {
        for (let i = 0; i < N * N; i++) {
          const before = prevMaterial[i];
          const after = frame.material[i];
          if (before === after) continue;
          const x = Math.floor(i / N);
          const y = i % N;
          const palette = BITS[before] ?? BITS[after] ?? [0xffffff];
          burst(x, 0.5, y, palette, 14);
        }
        const o = frame.objects;
        for (let k = 0; k < o.length; k += OBJECT_STRIDE) {
          const id = o[k + O_ID];
          const health = o[k + O_HEALTH];
          const before = prevHealth.get(id);
          if (before !== undefined && health < before) burst(o[k + O_X], 0.6, o[k + O_Y], [0xff3040, 0xffffff], 8, 0.7);
        }
      }
      prevMaterial = frame.material.slice();
      prevHealth.clear();
      const o = frame.objects;
      for (let k = 0; k < o.length; k += OBJECT_STRIDE) prevHealth.set(o[k + O_ID], o[k + O_HEALTH]);
    };
    onFrame(useGame.getState().frame);
    return useGame.subscribe((s) => onFrame(s.frame));
  }, [bits, colors]);

  const tmp = useMemo(
    () => ({ m: new THREE.Matrix4(), q: new THREE.Quaternion(), p: new THREE.Vector3(), s: new THREE.Vector3() }),
    [],
  );
  useFrame((_, dtRaw) => {
    const dt = Math.min(dtRaw, 0.1);
    let w = 0;
    for (let i = 0; i < bits.length; i++) {
      const b = bits[i];
      b.age += dt;
      if (b.age >= LIFE) continue;
      b.vy -= 9 * dt;
      b.x += b.vx * dt;
      b.y = Math.max(0.02, b.y + b.vy * dt);
      b.z += b.vz * dt;
      bits[w] = b;
      colors[w] = colors[i];
      w++;
    }
    bits.length = w;
    colors.length = w;
    for (let i = 0; i < w; i++) {
      const b = bits[i];
      const size = b.size * (1 - b.age / LIFE);
      tmp.m.compose(tmp.p.set(b.x, b.y, b.z), tmp.q, tmp.s.set(size, size, size));
      mesh.setMatrixAt(i, tmp.m);
      mesh.setColorAt(i, colors[i]);
    }
    mesh.count = w;
    mesh.instanceMatrix.needsUpdate = true;
    if (mesh.instanceColor) mesh.instanceColor.needsUpdate = true;
  });
  return <primitive object={mesh} />;
}
