import { type ComponentRef, useEffect, useMemo, useRef } from 'react';
import { Canvas, useFrame, useThree } from '@react-three/fiber';
import { OrbitControls } from '@react-three/drei';
import * as THREE from 'three';
import { mergeGeometries } from 'three/examples/jsm/utils/BufferGeometryUtils.js';
import { Action, DIRECTIONS, Material, ObjectKind, PLANT_RIPE_AFTER, WORLD_SIZE } from '@aikon/engine';
import { myPlayer, useGame } from '../game/store.ts';
import { O_DIR, O_GROWN, O_ID, O_KIND, O_X, O_Y, OBJECT_STRIDE, type GameFrame } from '../game/protocol.ts';
import { renderStats } from '../game/stats.ts';
import { setCameraView } from '../game/camera-store.ts';
import { focusSlot, useSpectate } from '../game/spectate.ts';
import { atlasMaterial, buildBlockAtlas, liquidMaterial, slotOffset, tileSlot, type BlockTile } from './atlas.ts';
import { makeModels } from './models.ts';
import { disposeObjects, markDynamic } from './gpu-buffers.ts';
import { loadEngineSprites } from './sprites.ts';
import { Particles } from './Particles.tsx';
import { NameTags } from './NameTags.tsx';
import { playerColor } from '../game/player-colors.ts';
import { DreamFog } from '../dream/DreamFog.tsx';
import { TEST_HOOKS } from '../game/test-build.ts';

const N = WORLD_SIZE;
const SKY_DAY = new THREE.Color(0x8fd3ff);
const SKY_NIGHT = new THREE.Color(0x16204a);
const SKY_SLEEP = new THREE.Color(0x020308);
const HEMI_DAY = new THREE.Color(0xdff1ff);
const HEMI_NIGHT = new THREE.Color(0x7080d0);

/** Seconds of one tick at the current rate (for interpolation between ticks). */
function tickSeconds(): number {
  const { frame, tickRate } = useGame.getState();
  // Multiplayer: the lobby's rate (the frames carry it); solo: the player's.
  return 1 / (frame?.names ? frame.tickRate : tickRate);
}

// ---- terrain ---------------------------------------------------------------------------------

const GROUND_TILE: Record<number, BlockTile> = {
  [Material.grass]: 'grass',
  [Material.sand]: 'sand',
  [Material.path]: 'path',
  [Material.tree]: 'grass',
  [Material.stone]: 'path',
  [Material.coal]: 'path',
  [Material.iron]: 'path',
  [Material.diamond]: 'path',
  [Material.table]: 'path',
  [Material.furnace]: 'path',
};
const BLOCK_TILE: Record<number, [BlockTile, number]> = {
  [Material.stone]: ['stone', 1],
  [Material.coal]: ['coal', 1],
  [Material.iron]: ['iron', 1],
  [Material.diamond]: ['diamond', 1],
  [Material.table]: ['table', 0.75],
  [Material.furnace]: ['furnace', 0.95],
};

function instanced(
  geometry: THREE.BufferGeometry,
  material: THREE.Material,
  capacity: number,
  attrs: Record<string, number>,
  shadow: 'cast' | 'receive' | 'both' | 'none' = 'both',
) {
  const mesh = new THREE.InstancedMesh(geometry, material, capacity);
  mesh.frustumCulled = false;
  mesh.castShadow = shadow === 'cast' || shadow === 'both';
  mesh.receiveShadow = shadow === 'receive' || shadow === 'both';
  mesh.count = 0;
  for (const [name, size] of Object.entries(attrs)) {
    geometry.setAttribute(name, new THREE.InstancedBufferAttribute(new Float32Array(capacity * size), size));
  }
  return mesh;
}

/** Per-tile pseudo-random numbers for variation that does not flicker between rebuilds. */
const hash01 = (i: number, k: number) => {
  let h = (i * 374761393 + k * 668265263) | 0;
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
};

function Terrain({ atlas }: { atlas: THREE.Texture }) {
  const meshes = useMemo(() => {
    const solid = atlasMaterial(atlas);
    const liquid = liquidMaterial(atlas);
    const box = () => new THREE.BoxGeometry(1, 1, 1);
    return {
      ground: instanced(
        new THREE.PlaneGeometry(1, 1).rotateX(-Math.PI / 2).translate(0, 0.5, 0),
        solid,
        N * N,
        { aTile: 2 },
        'receive',
      ),
      liquid: instanced(
        new THREE.PlaneGeometry(1, 1).rotateX(-Math.PI / 2).translate(0, 0.5, 0),
        liquid,
        N * N,
        { aTile: 2, aLava: 1 },
        'none',
      ),
      // Vertical faces only where a ground tile drops to water or lava, and around the map.
      sides: instanced(new THREE.PlaneGeometry(1, 1), solid, N * N * 2, { aTile: 2 }, 'receive'),
      blocks: instanced(box(), solid, N * N, { aTile: 2 }),
      trunks: instanced(new THREE.BoxGeometry(0.3, 0.8, 0.3), solid, N * N, { aTile: 2 }),
      leaves: instanced(box(), solid, N * N, { aTile: 2 }),
      liquidMaterial: liquid,
    };
  }, [atlas]);
  const built = useRef<Uint8Array | null>(null);
  useEffect(() => {
    const { ground, liquid, sides, blocks, trunks, leaves } = meshes;
    return () => disposeObjects(ground, liquid, sides, blocks, trunks, leaves);
  }, [meshes]);

  useEffect(() => {
    built.current = null;
    const m = new THREE.Matrix4();
    const q = new THREE.Quaternion();
    const up = new THREE.Vector3(0, 1, 0);
    const p = new THREE.Vector3();
    const s = new THREE.Vector3();
    const put = (
      mesh: THREE.InstancedMesh,
      tile: BlockTile,
      x: number,
      y: number,
      z: number,
      sx = 1,
      sy = 1,
      sz = 1,
      lava = -1,
      yaw = 0,
    ) => {
      if (mesh.count >= mesh.instanceMatrix.count) return;
      const i = mesh.count++;
      q.setFromAxisAngle(up, yaw);
      m.compose(p.set(x, y, z), q, s.set(sx, sy, sz));
      mesh.setMatrixAt(i, m);
      const [u, v] = slotOffset(tileSlot(tile));
      const a = mesh.geometry.getAttribute('aTile') as THREE.InstancedBufferAttribute;
      a.setXY(i, u, v);
      if (lava >= 0) (mesh.geometry.getAttribute('aLava') as THREE.InstancedBufferAttribute).setX(i, lava);
    };
    const rebuild = (material: Uint8Array) => {
      const { ground, liquid, sides, blocks, trunks, leaves } = meshes;
      for (const mesh of [ground, liquid, sides, blocks, trunks, leaves]) mesh.count = 0;
      const isLiquid = (m: number) => m === Material.water || m === Material.lava;
      for (let x = 0; x < N; x++) {
        for (let y = 0; y < N; y++) {
          const i = x * N + y;
          const mat = material[i];
          const liquidHere = isLiquid(mat);
          for (const [dx, dy] of DIRECTIONS) {
            const nx = x + dx;
            const ny = y + dy;
            const outside = nx < 0 || ny < 0 || nx >= N || ny >= N;
            if (!outside && (liquidHere || !isLiquid(material[nx * N + ny]))) continue;
            // A side face toward the lower neighbour (or the void beyond the map edge).
            const top = liquidHere ? -0.22 : 0;
            const depth = outside ? 1.6 : 0.22;
            const tile: BlockTile = liquidHere
              ? mat === Material.water
                ? 'water'
                : 'lava'
              : mat === Material.sand
                ? 'sand'
                : 'path';
            put(sides, tile, x + dx * 0.5, top - depth / 2, y + dy * 0.5, 1, depth, 1, -1, Math.atan2(dx, dy));
          }
          if (liquidHere) {
            put(liquid, mat === Material.water ? 'water' : 'lava', x, -0.72, y, 1, 1, 1, mat === Material.lava ? 1 : 0);
            continue;
          }
          put(ground, GROUND_TILE[mat] ?? 'unknown', x, -0.5, y);
          const block = BLOCK_TILE[mat];
          if (block) {
            const [tile, h] = block;
            put(blocks, tile, x, h / 2, y, h === 1 ? 1 : 0.9, h, h === 1 ? 1 : 0.9);
          } else if (mat === Material.tree) {
            const r = hash01(i, 1);
            const size = 0.85 + 0.25 * r;
            put(trunks, 'trunk', x, 0.4, y);
            put(leaves, 'leaves', x, 0.8 + size / 2, y, size, size * (0.9 + 0.3 * hash01(i, 2)), size);
          }
        }
      }
      for (const mesh of [ground, liquid, sides, blocks, trunks, leaves]) {
        mesh.instanceMatrix.needsUpdate = true;
        for (const name of ['aTile', 'aLava']) {
          const a = mesh.geometry.getAttribute(name) as THREE.InstancedBufferAttribute | undefined;
          if (a) a.needsUpdate = true;
        }
      }
    };
    const check = (frame: GameFrame | null) => {
      if (!frame) return;
      const prev = built.current;
      if (prev && prev.length === frame.material.length) {
        let same = true;
        for (let i = 0; i < prev.length; i++) {
          if (prev[i] !== frame.material[i]) {
            same = false;
            break;
          }
        }
        if (same) return;
      }
      built.current = frame.material.slice();
      rebuild(frame.material);
    };
    check(useGame.getState().frame);
    return useGame.subscribe((state) => check(state.frame));
  }, [meshes]);

  useFrame((state) => {
    meshes.liquidMaterial.uniforms.uTime.value = state.clock.elapsedTime;
    meshes.liquidMaterial.uniforms.uLight.value = lightLevel.current;
  });

  return (
    <group>
      <primitive object={meshes.ground} />
      <primitive object={meshes.liquid} />
      <primitive object={meshes.sides} />
      <primitive object={meshes.blocks} />
      <primitive object={meshes.trunks} />
      <primitive object={meshes.leaves} />
    </group>
  );
}

// ---- creatures, plants, arrows, players -------------------------------------------------------

interface Track {
  fx: number;
  fy: number;
  tx: number;
  ty: number;
  yaw: number;
  targetYaw: number;
  seen: GameFrame;
}

/** Interpolates every entity between its last two tick positions. */
class Tracks {
  private readonly map = new Map<number, Track>();
  private frame: GameFrame | null = null;
  private frameAt = 0;

  update(frame: GameFrame, frameAt: number, now: number): void {
    if (frame === this.frame) return;
    // A new world (restart) or a jump (scripted run): nothing to interpolate from.
    if (this.frame && (frame.seed !== this.frame.seed || frame.t < this.frame.t || frame.t - this.frame.t > 3))
      this.map.clear();
    const alphaOld = this.alpha(now);
    const upsert = (id: number, x: number, y: number, facingYaw: number | null) => {
      const t = this.map.get(id);
      if (!t) {
        const yaw = facingYaw ?? 0;
        this.map.set(id, { fx: x, fy: y, tx: x, ty: y, yaw, targetYaw: yaw, seen: frame });
        return;
      }
      const cx = t.fx + (t.tx - t.fx) * alphaOld;
      const cy = t.fy + (t.ty - t.fy) * alphaOld;
      const far = Math.abs(x - cx) + Math.abs(y - cy) > 2.5;
      t.fx = far ? x : cx;
      t.fy = far ? y : cy;
      if (facingYaw !== null) t.targetYaw = facingYaw;
      else if (x !== t.tx || y !== t.ty) t.targetYaw = Math.atan2(x - t.tx, y - t.ty);
      t.tx = x;
      t.ty = y;
      t.seen = frame;
    };
    const o = frame.objects;
    for (let k = 0; k < o.length; k += OBJECT_STRIDE) {
      const kind = o[k + O_KIND];
      const dir = DIRECTIONS[o[k + O_DIR]] ?? DIRECTIONS[3];
      upsert(o[k + O_ID], o[k + O_X], o[k + O_Y], kind === ObjectKind.arrow ? Math.atan2(dir[0], dir[1]) : null);
    }
    for (const p of frame.players) {
      const d = DIRECTIONS[p.facing] ?? DIRECTIONS[3];
      upsert(p.id, p.x, p.y, Math.atan2(d[0], d[1]));
    }
    for (const [id, t] of this.map) if (t.seen !== frame) this.map.delete(id);
    this.frame = frame;
    this.frameAt = frameAt;
  }

  alpha(now: number): number {
    const span = tickSeconds() * 1000;
    return Math.min(1, Math.max(0, (now - this.frameAt) / span));
  }

  /** Interpolated position and smoothed yaw of an entity. */
  get(id: number, now: number, dt: number): { x: number; y: number; yaw: number; moving: boolean } | null {
    const t = this.map.get(id);
    if (!t) return null;
    const a = this.alpha(now);
    let diff = t.targetYaw - t.yaw;
    diff = Math.atan2(Math.sin(diff), Math.cos(diff));
    t.yaw += diff * Math.min(1, dt * 14);
    return {
      x: t.fx + (t.tx - t.fx) * a,
      y: t.fy + (t.ty - t.fy) * a,
      yaw: t.yaw,
      moving: a < 1 && (t.fx !== t.tx || t.fy !== t.ty),
    };
  }
}

const lightLevel = { current: 1 };
/** `focus`: where the camera, the sun's shadows and the night lamp centre (the followed player). */
const shared = { tracks: new Tracks(), focus: new THREE.Vector3(N / 2, 0, N / 2) };

/** Two crossed upright quads (a Minecraft-style plant), 1 wide and 1 tall, standing on y = 0. */
function crossedQuads(): THREE.BufferGeometry {
  const a = new THREE.PlaneGeometry(1, 1).rotateY(Math.PI / 4).translate(0, 0.5, 0);
  const b = new THREE.PlaneGeometry(1, 1).rotateY(-Math.PI / 4).translate(0, 0.5, 0);
  return mergeGeometries([a, b])!;
}

function Entities({ atlas }: { atlas: THREE.Texture }) {
  const models = useMemo(() => makeModels(), []);
  // Plants are the pixel-art sapling / ripe-plant sprites from the atlas on crossed quads.
  const plants = useMemo(
    () => markDynamic(instanced(crossedQuads(), atlasMaterial(atlas, true), 512, { aTile: 2 }, 'cast'), 'aTile'),
    [atlas],
  );
  const material = useMemo(() => new THREE.MeshLambertMaterial({ vertexColors: true }), []);
  const meshes = useMemo(() => {
    const make = (name: string, capacity: number) => {
      const mesh = new THREE.InstancedMesh(models[name], material, capacity);
      mesh.frustumCulled = false;
      mesh.castShadow = true;
      mesh.count = 0;
      return mesh;
    };
    const tinted = (mesh: THREE.InstancedMesh) => {
      // Other players' avatars are tinted with their slot's colour (white: the model's own).
      mesh.instanceColor = new THREE.InstancedBufferAttribute(
        new Float32Array(mesh.instanceMatrix.count * 3).fill(1),
        3,
      );
      return mesh;
    };
    const all = {
      cow: make('cow', 128),
      zombie: make('zombie', 128),
      skeleton: make('skeleton', 128),
      arrow: make('arrow', 256),
      player: tinted(make('player', 64)),
      mound: make('mound', 512),
    };
    // Every instance moves every frame.
    for (const mesh of Object.values(all)) markDynamic(mesh);
    return all;
  }, [models, material]);
  useEffect(() => () => disposeObjects(plants, ...Object.values(meshes)), [plants, meshes]);
  const tmp = useMemo(
    () => ({
      m: new THREE.Matrix4(),
      q: new THREE.Quaternion(),
      e: new THREE.Euler(),
      p: new THREE.Vector3(),
      s: new THREE.Vector3(),
    }),
    [],
  );
  const sleepTilt = useRef(0);
  const white = useMemo(() => new THREE.Color(1, 1, 1), []);
  const tint = useMemo(() => new THREE.Color(), []);

  useFrame((state, dt) => {
    const { frame, frameAt } = useGame.getState();
    if (!frame) return;
    const now = performance.now();
    const tracks = shared.tracks;
    tracks.update(frame, frameAt, now);
    for (const mesh of Object.values(meshes)) mesh.count = 0;
    plants.count = 0;
    const plantTiles = plants.geometry.getAttribute('aTile') as THREE.InstancedBufferAttribute;
    const time = state.clock.elapsedTime;
    const place = (
      mesh: THREE.InstancedMesh,
      x: number,
      y: number,
      z: number,
      yaw: number,
      scale = 1,
      pitch = 0,
      roll = 0,
    ) => {
      if (mesh.count >= mesh.instanceMatrix.count) return;
      tmp.q.setFromEuler(tmp.e.set(pitch, yaw, roll, 'YXZ'));
      tmp.m.compose(tmp.p.set(x, y, z), tmp.q, tmp.s.set(scale, scale, scale));
      mesh.setMatrixAt(mesh.count++, tmp.m);
    };
    const o = frame.objects;
    for (let k = 0; k < o.length; k += OBJECT_STRIDE) {
      const id = o[k + O_ID];
      const kind = o[k + O_KIND];
      const pos = tracks.get(id, now, dt);
      if (!pos) continue;
      const bob = pos.moving ? Math.abs(Math.sin(time * 14)) * 0.08 : 0;
      switch (kind) {
        case ObjectKind.cow:
          place(meshes.cow, pos.x, bob, pos.y, pos.yaw, 1.05);
          break;
        case ObjectKind.zombie:
          place(meshes.zombie, pos.x, bob, pos.y, pos.yaw, 1.15, 0, Math.sin(time * 3 + id) * 0.08);
          break;
        case ObjectKind.skeleton:
          place(meshes.skeleton, pos.x, bob, pos.y, pos.yaw, 1.1);
          break;
        case ObjectKind.arrow:
          place(meshes.arrow, pos.x, 0.1, pos.y, pos.yaw, 1);
          break;
        case ObjectKind.plant: {
          const grown = o[k + O_GROWN];
          const ripe = grown > PLANT_RIPE_AFTER;
          const [u, v] = slotOffset(tileSlot(ripe ? 'plant-ripe' : 'sapling'));
          plantTiles.setXY(plants.count, u, v);
          const sway = Math.sin(time * 1.7 + id) * 0.05;
          place(
            plants,
            pos.x,
            0.04,
            pos.y,
            id * 0.7,
            ripe ? 1.3 : 0.75 + 0.45 * Math.min(1, grown / PLANT_RIPE_AFTER),
            0,
            sway,
          );
          place(meshes.mound, pos.x, 0, pos.y, id * 0.7, 1);
          break;
        }
      }
    }
    const mine = myPlayer(frame);
    const focus = focusSlot(frame, useSpectate.getState().slot);
    for (const p of frame.players) {
      if (p.dead) continue;
      const pos = tracks.get(p.id, now, dt);
      if (!pos) continue;
      if (p.slot === frame.me) sleepTilt.current += ((p.sleeping ? 1 : 0) - sleepTilt.current) * Math.min(1, dt * 5);
      if (p.slot === focus) shared.focus.set(pos.x, 0, pos.y);
      const tilt = p.slot === frame.me ? sleepTilt.current : p.sleeping ? 1 : 0;
      const bob = pos.moving ? Math.abs(Math.sin(time * 16)) * 0.1 : Math.sin(time * 2) * 0.01;
      // Interacting (do, place, make): a quick lunge toward the faced tile.
      let lx = 0;
      let lz = 0;
      if (p.action >= Action.do && p.action !== Action.sleep && !p.sleeping) {
        const a = tracks.alpha(now);
        const d = DIRECTIONS[p.facing] ?? DIRECTIONS[3];
        const push = Math.sin(Math.min(1, a * 1.6) * Math.PI) * 0.22;
        lx = d[0] * push;
        lz = d[1] * push;
      }
      // Asleep: lying on the back across the view (head to the west), face up.
      const yaw = pos.yaw + Math.atan2(Math.sin(Math.PI / 2 - pos.yaw), Math.cos(Math.PI / 2 - pos.yaw)) * tilt;
      place(
        meshes.player,
        pos.x + lx + tilt * 0.35,
        (1 - tilt) * bob + tilt * 0.14,
        pos.y + lz,
        yaw,
        1.15,
        -tilt * Math.PI * 0.5,
      );
      meshes.player.setColorAt(
        meshes.player.count - 1,
        p.slot === frame.me ? white : tint.set(playerColor(p.slot)).lerp(white, 0.3),
      );
    }
    if (meshes.player.instanceColor) meshes.player.instanceColor.needsUpdate = true;
    if (mine?.dead && focus === frame.me) shared.focus.set(mine.x, 0, mine.y);
    for (const mesh of Object.values(meshes)) mesh.instanceMatrix.needsUpdate = true;
    plants.instanceMatrix.needsUpdate = true;
    plantTiles.needsUpdate = true;
  });

  return (
    <group>
      {Object.entries(meshes).map(([name, mesh]) => (
        <primitive key={name} object={mesh} />
      ))}
      <primitive object={plants} />
    </group>
  );
}

/** Outlines the tile the player faces: where Space, placing and attacking act. */
function FacingMarker() {
  const ref = useRef<THREE.LineSegments>(null);
  const geometry = useMemo(() => new THREE.EdgesGeometry(new THREE.BoxGeometry(1.02, 1.02, 1.02)), []);
  // A geometry passed as a prop is not R3F's to dispose.
  useEffect(() => () => geometry.dispose(), [geometry]);
  useFrame((state) => {
    const line = ref.current;
    const frame = useGame.getState().frame;
    const me = myPlayer(frame);
    if (!line || !frame || !me || me.dead) {
      if (line) line.visible = false;
      return;
    }
    const d = DIRECTIONS[me.facing] ?? DIRECTIONS[3];
    const x = me.x + d[0];
    const y = me.y + d[1];
    if (x < 0 || y < 0 || x >= N || y >= N) {
      line.visible = false;
      return;
    }
    const mat = frame.material[x * N + y];
    const block = BLOCK_TILE[mat] !== undefined || mat === Material.tree;
    line.visible = true;
    line.position.set(x, block ? 0.5 : 0.01, y);
    line.scale.set(1, block ? 1 : 0.02, 1);
    (line.material as THREE.LineBasicMaterial).opacity = 0.55 + 0.35 * Math.sin(state.clock.elapsedTime * 5);
  });
  return (
    <lineSegments ref={ref} geometry={geometry}>
      <lineBasicMaterial color="#fff8c0" transparent opacity={0.8} />
    </lineSegments>
  );
}

// ---- light, camera, stats ----------------------------------------------------------------------

function Lighting() {
  const hemi = useRef<THREE.HemisphereLight>(null);
  const sun = useRef<THREE.DirectionalLight>(null);
  const lamp = useRef<THREE.PointLight>(null);
  const { scene } = useThree();
  const sky = useMemo(() => new THREE.Color(SKY_DAY), []);
  const fog = useMemo(() => new THREE.Fog(SKY_DAY, 28, 70), []);
  const smooth = useRef({ day: 1, sleep: 0 });
  // The renderer and its scene outlive a game (the world remounts per game), and a frame may run
  // before this effect: the frame loop below updates its own fog, never reads scene.fog.
  useEffect(() => {
    scene.background = sky;
    scene.fog = fog;
    return () => {
      if (scene.background === sky) scene.background = null;
      if (scene.fog === fog) scene.fog = null;
    };
  }, [scene, sky, fog]);
  useFrame((_, dt) => {
    const frame = useGame.getState().frame;
    if (!frame) return;
    const me = myPlayer(frame);
    const k = Math.min(1, dt * 3);
    smooth.current.day += (frame.daylight - smooth.current.day) * k;
    smooth.current.sleep += ((me?.sleeping ? 1 : 0) - smooth.current.sleep) * k;
    const d = smooth.current.day;
    const dark = 1 - 0.7 * smooth.current.sleep;
    sky.copy(SKY_NIGHT).lerp(SKY_DAY, d).lerp(SKY_SLEEP, smooth.current.sleep);
    fog.color.copy(sky);
    if (hemi.current) {
      hemi.current.intensity = (0.75 + 0.85 * d) * dark;
      hemi.current.color.copy(HEMI_NIGHT).lerp(HEMI_DAY, d);
    }
    if (sun.current) {
      sun.current.intensity = (0.35 + 1.95 * d) * dark;
      sun.current.color.setHSL(0.1 + 0.5 * (1 - d) * 0.5, 0.5, 0.6 + 0.3 * d);
      // The sun swings across the sky over the day (300 ticks), so shadows move.
      const angle = ((frame.t % 300) / 300) * Math.PI * 2;
      sun.current.position.set(shared.focus.x + Math.cos(angle) * 22, 30, shared.focus.z + 8 + Math.sin(angle) * 10);
      sun.current.target.position.copy(shared.focus);
      sun.current.target.updateMatrixWorld();
    }
    if (lamp.current) {
      lamp.current.position.set(shared.focus.x, 2.2, shared.focus.z);
      lamp.current.intensity = (1 - d) * 14 * dark;
    }
    lightLevel.current = (0.5 + 0.5 * d) * dark;
  });
  return (
    <>
      <hemisphereLight ref={hemi} args={[0xdff1ff, 0x3a5a2a, 1.2]} />
      <directionalLight
        ref={sun}
        args={[0xfff2d0, 2]}
        castShadow
        shadow-mapSize={[2048, 2048]}
        shadow-bias={-0.0004}
        shadow-normalBias={0.03}
        shadow-camera-left={-26}
        shadow-camera-right={26}
        shadow-camera-top={26}
        shadow-camera-bottom={-26}
        shadow-camera-near={1}
        shadow-camera-far={90}
      />
      <pointLight ref={lamp} args={[0xffb060, 0, 9, 1.6]} />
    </>
  );
}

/**
 * drei's orbit controls (drag to turn, wheel or pinch to zoom; no pan), carried along with the
 * followed player: target and camera shift together each frame, so a turn the player made stays.
 * The view is written to the camera store, the one place the rest of the game reads it from.
 */
function FollowCamera() {
  const camera = useThree((s) => s.camera);
  const ref = useRef<ComponentRef<typeof OrbitControls>>(null);
  const placed = useRef(false);
  useFrame(() => {
    const controls = ref.current;
    if (!controls) return;
    const target = shared.focus;
    if (!placed.current && useGame.getState().frame) {
      placed.current = true;
      const me = myPlayer(useGame.getState().frame);
      if (me) target.set(me.x, 0, me.y);
      controls.target.set(target.x, 0.5, target.z);
      camera.position.set(target.x, 11, target.z + 9);
    }
    const dx = target.x - controls.target.x;
    const dz = target.z - controls.target.z;
    controls.target.x += dx;
    controls.target.z += dz;
    camera.position.x += dx;
    camera.position.z += dz;
    // drei's component runs controls.update() (damping) in its own frame callback, before this one.
    const azimuth = Math.atan2(camera.position.x - controls.target.x, camera.position.z - controls.target.z);
    setCameraView(((Math.round(azimuth / (Math.PI / 2)) % 4) + 4) % 4, controls.target.x, controls.target.z);
  });
  return (
    <OrbitControls
      ref={ref}
      enablePan={false}
      dampingFactor={0.12}
      minDistance={5}
      maxDistance={45}
      minPolarAngle={0.15}
      maxPolarAngle={Math.PI * 0.44}
    />
  );
}

function Stats() {
  const { gl } = useThree();
  const window1s = useRef({ start: performance.now(), frames: 0 });
  /** The source whose world this scene has drawn (told once, so a lobby can start ticking). */
  const drawn = useRef<{ source: unknown; frames: number }>({ source: null, frames: 0 });
  useFrame(() => {
    const source = useGame.getState().source;
    if (source && drawn.current.source !== source && ++drawn.current.frames >= 2) {
      drawn.current = { source, frames: 0 };
      source.sceneDrawn?.();
    }
    renderStats.frames++;
    renderStats.drawCalls = gl.info.render.calls;
    renderStats.triangles = gl.info.render.triangles;
    if (renderStats.frames === 2) performance.mark('aikon-first-frame');
    if (TEST_HOOKS) {
      window.__aikonDrawCalls = renderStats.drawCalls;
      window.__aikonGpuMemory = { ...gl.info.memory };
      if (renderStats.frames === 2 && window.__aikonFirstFrame === undefined)
        window.__aikonFirstFrame = performance.now();
    }
    const w = window1s.current;
    w.frames++;
    const now = performance.now();
    if (now - w.start >= 1000) {
      renderStats.fps = (w.frames * 1000) / (now - w.start);
      w.start = now;
      w.frames = 0;
    }
  });
  return null;
}

function WorldView() {
  const atlas = useMemo(() => buildBlockAtlas(), []);
  useEffect(() => {
    let cancelled = false;
    void loadEngineSprites().then((sprites) => {
      if (cancelled || !sprites) return;
      const upgraded = buildBlockAtlas(sprites);
      const canvas = upgraded.image as HTMLCanvasElement;
      (atlas.image as HTMLCanvasElement).getContext('2d')!.drawImage(canvas, 0, 0);
      atlas.needsUpdate = true;
      upgraded.dispose();
    });
    return () => {
      cancelled = true;
      atlas.dispose();
    };
  }, [atlas]);
  return (
    <>
      <Lighting />
      <Terrain atlas={atlas} />
      <Entities atlas={atlas} />
      <NameTags positionOf={(id, now, dt) => shared.tracks.get(id, now, dt)} />
      <FacingMarker />
      <Particles />
      <DreamFog />
      <FollowCamera />
      <Stats />
    </>
  );
}

/** True when WebGL runs on the CPU (SwiftShader, llvmpipe): render cheaper there. */
function softwareRenderer(): boolean {
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return false;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return /swiftshader|llvmpipe|software/i.test(name);
  } catch {
    return false;
  }
}

/** ?quality=high|low overrides the choice made from the renderer. */
function qualityOverride(): 'high' | 'low' | null {
  const q = new URLSearchParams(window.location.search).get('quality');
  return q === 'high' || q === 'low' ? q : null;
}

/**
 * The renderer lives as long as the game screen; the world's objects mount with a game's first
 * frame and unmount (their GPU buffers freed) when a new game or a restart clears it.
 */
export default function Scene() {
  const hasFrame = useGame((s) => s.frame !== null);
  const software = useMemo(() => {
    const q = qualityOverride();
    return q ? q === 'low' : softwareRenderer();
  }, []);
  return (
    <Canvas
      className="absolute inset-0"
      dpr={software ? 0.75 : [1, 1.5]}
      camera={{ fov: 50, near: 0.1, far: 200, position: [N / 2, 11, N / 2 + 9] }}
      shadows={!software}
      gl={{ antialias: !software, powerPreference: 'high-performance', preserveDrawingBuffer: true }}
      data-testid="scene"
    >
      {hasFrame && <WorldView />}
    </Canvas>
  );
}
