import { useEffect, useMemo } from 'react';
import { useFrame } from '@react-three/fiber';
import * as THREE from 'three';
import { useGame } from '../game/store.ts';
import { playerColor } from '../game/player-colors.ts';

type PositionOf = (id: number, now: number, dt: number) => { x: number; y: number } | null;

interface Tag {
  sprite: THREE.Sprite;
  text: string;
}

/** A name on a small dark label with the player's colour as a stripe, as a sprite texture. */
function makeTag(text: string, color: string): THREE.Sprite {
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d')!;
  const font = 'bold 40px system-ui, sans-serif';
  ctx.font = font;
  const width = Math.ceil(ctx.measureText(text).width) + 44;
  canvas.width = width;
  canvas.height = 64;
  ctx.font = font;
  ctx.fillStyle = 'rgba(2, 6, 23, 0.72)';
  ctx.beginPath();
  ctx.roundRect(0, 4, width, 56, 14);
  ctx.fill();
  ctx.fillStyle = color;
  ctx.fillRect(10, 14, 8, 36);
  ctx.fillStyle = '#ffffff';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, 28, 34);
  const texture = new THREE.CanvasTexture(canvas);
  texture.colorSpace = THREE.SRGBColorSpace;
  texture.minFilter = THREE.LinearFilter;
  const material = new THREE.SpriteMaterial({ map: texture, depthTest: false, transparent: true });
  const sprite = new THREE.Sprite(material);
  const h = 0.42;
  sprite.scale.set((h * width) / 64, h, 1);
  sprite.renderOrder = 10;
  return sprite;
}

/**
 * Multiplayer: the display name over every other player's avatar (frames from a relay carry
 * `names`; solo frames do not, and nothing is drawn).
 */
export function NameTags({ positionOf }: { positionOf: PositionOf }) {
  const group = useMemo(() => new THREE.Group(), []);
  const tags = useMemo(() => new Map<number, Tag>(), []);
  useEffect(
    () => () => {
      for (const tag of tags.values()) {
        tag.sprite.material.map?.dispose();
        tag.sprite.material.dispose();
      }
      tags.clear();
    },
    [tags],
  );
  useFrame(() => {
    const frame = useGame.getState().frame;
    const names = frame?.names;
    for (const tag of tags.values()) tag.sprite.visible = false;
    if (!frame || !names) return;
    const now = performance.now();
    for (const p of frame.players) {
      const name = names[p.slot];
      if (p.slot === frame.me || p.dead || !name) continue;
      let tag = tags.get(p.slot);
      if (!tag || tag.text !== name) {
        if (tag) {
          group.remove(tag.sprite);
          tag.sprite.material.map?.dispose();
          tag.sprite.material.dispose();
        }
        tag = { sprite: makeTag(name, playerColor(p.slot)), text: name };
        tags.set(p.slot, tag);
        group.add(tag.sprite);
      }
      const pos = positionOf(p.id, now, 0) ?? { x: p.x, y: p.y };
      tag.sprite.position.set(pos.x, 1.75, pos.y);
      tag.sprite.visible = true;
    }
  });
  return <primitive object={group} />;
}
