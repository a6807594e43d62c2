import * as THREE from 'three';
import { mergeGeometries } from 'three/examples/jsm/utils/BufferGeometryUtils.js';

/** One box of a voxel model: centre, size, colour. */
type Part = [cx: number, cy: number, cz: number, sx: number, sy: number, sz: number, color: number];

/** Merges coloured boxes into one geometry (one draw call per model kind). Front is +z. */
function voxel(parts: Part[]): THREE.BufferGeometry {
  const geometries = parts.map(([cx, cy, cz, sx, sy, sz, color]) => {
    const g = new THREE.BoxGeometry(sx, sy, sz).toNonIndexed();
    g.translate(cx, cy, cz);
    g.deleteAttribute('uv');
    const c = new THREE.Color(color);
    const colors = new Float32Array(g.attributes.position.count * 3);
    const normals = g.attributes.normal;
    for (let i = 0; i < g.attributes.position.count; i++) {
      // A little baked shading: tops brighter, bottoms darker.
      const ny = normals.getY(i);
      const shade = ny > 0.5 ? 1.08 : ny < -0.5 ? 0.7 : 0.92;
      colors[i * 3] = c.r * shade;
      colors[i * 3 + 1] = c.g * shade;
      colors[i * 3 + 2] = c.b * shade;
    }
    g.setAttribute('color', new THREE.BufferAttribute(colors, 3));
    return g;
  });
  const merged = mergeGeometries(geometries)!;
  for (const g of geometries) g.dispose();
  return merged;
}

const humanoid = (skin: number, shirt: number, legs: number, eyes: number, extra: Part[] = []): THREE.BufferGeometry =>
  voxel([
    [0, 0.5, 0, 0.36, 0.3, 0.22, shirt], // torso
    [-0.1, 0.17, 0, 0.14, 0.34, 0.16, legs],
    [0.1, 0.17, 0, 0.14, 0.34, 0.16, legs],
    [-0.25, 0.5, 0, 0.12, 0.3, 0.14, skin],
    [0.25, 0.5, 0, 0.12, 0.3, 0.14, skin],
    [0, 0.82, 0, 0.32, 0.32, 0.3, skin], // head
    [-0.08, 0.85, 0.155, 0.07, 0.06, 0.02, eyes],
    [0.08, 0.85, 0.155, 0.07, 0.06, 0.02, eyes],
    ...extra,
  ]);

export function makeModels(): Record<string, THREE.BufferGeometry> {
  return {
    player: humanoid(0xf1c27d, 0x2f6fd6, 0x3b3b58, 0x1a1a2e, [
      [0, 0.99, -0.02, 0.34, 0.08, 0.34, 0x5a3a1a], // hair
      [0, 0.5, 0.115, 0.2, 0.1, 0.02, 0xffffff], // badge
    ]),
    zombie: humanoid(0x5fa35a, 0x3a6b8f, 0x2f3d5c, 0x8b0000, [
      [-0.25, 0.6, 0.16, 0.12, 0.12, 0.3, 0x5fa35a], // arms reaching forward
      [0.25, 0.6, 0.16, 0.12, 0.12, 0.3, 0x5fa35a],
    ]),
    skeleton: humanoid(0xe8e8e0, 0xcfcfc4, 0xd8d8cc, 0x111111, [
      [0, 0.5, 0.115, 0.3, 0.04, 0.02, 0x9a9a90],
      [0.3, 0.55, 0.12, 0.04, 0.5, 0.04, 0x7a5a30], // bow
    ]),
    cow: voxel([
      [0, 0.45, 0, 0.42, 0.34, 0.7, 0xf5f5f0], // body
      [0.12, 0.52, 0.1, 0.2, 0.22, 0.3, 0x3a2a1a], // patch
      [-0.15, 0.48, -0.2, 0.14, 0.2, 0.2, 0x3a2a1a],
      [0, 0.62, 0.42, 0.3, 0.28, 0.22, 0xf5f5f0], // head
      [0, 0.55, 0.54, 0.22, 0.12, 0.04, 0xf0a0a0], // snout
      [-0.16, 0.78, 0.42, 0.06, 0.08, 0.06, 0xd0c8b0], // horns
      [0.16, 0.78, 0.42, 0.06, 0.08, 0.06, 0xd0c8b0],
      [-0.14, 0.14, 0.22, 0.1, 0.28, 0.1, 0x3a2a1a],
      [0.14, 0.14, 0.22, 0.1, 0.28, 0.1, 0x3a2a1a],
      [-0.14, 0.14, -0.22, 0.1, 0.28, 0.1, 0x3a2a1a],
      [0.14, 0.14, -0.22, 0.1, 0.28, 0.1, 0x3a2a1a],
    ]),
    mound: voxel([
      [0, 0.03, 0, 0.6, 0.06, 0.6, 0x6b4a2a],
      [0, 0.07, 0, 0.4, 0.04, 0.4, 0x5a3d22],
    ]),
    arrow: voxel([
      [0, 0.5, 0, 0.05, 0.05, 0.7, 0x8b6a3a],
      [0, 0.5, 0.38, 0.1, 0.1, 0.08, 0xc0c0c0],
      [0, 0.5, -0.32, 0.14, 0.02, 0.1, 0xf0f0f0],
    ]),
  };
}
