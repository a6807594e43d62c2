import { World } from '@aikon/engine';
import { DeltaBuilder, selfState } from '@aikon/protocol';
import * as msgpackParser from 'socket.io-msgpack-parser';
import { describe, expect, it } from 'vitest';
import { DeltaFrames, type OwnFields } from '../src/delta-frames.ts';

/**
 * What Socket.IO's msgpack parser sends for `socket.emit('game:delta', msg)`
 * (its encoder, unspliced; its typings say ArrayBuffer, it returns [Buffer]).
 */
function socketIoPacket(msg: object): Buffer {
  const [bytes] = new msgpackParser.Encoder().encode({ type: 2, data: ['game:delta', msg], nsp: '/' }) as unknown as [
    Buffer,
  ];
  return bytes;
}

function decoded(frame: Buffer): unknown {
  const decoder = new msgpackParser.Decoder();
  let out: unknown;
  decoder.on('decoded', (p: unknown) => {
    out = p;
  });
  decoder.add(frame);
  return out;
}

describe('delta frames (the shared part encoded once per tick)', () => {
  it("are byte for byte the parser's packet of the whole delta, for members with and without own fields", () => {
    const world = World.generate({ seed: 7, mode: 'persistent' });
    const players = [world.addPlayer({ slot: 0 }), world.addPlayer({ slot: 1 })];
    const builder = new DeltaBuilder();
    builder.reset(world);
    const frames = new DeltaFrames();
    for (let tick = 0; tick < 20; tick++) {
      world.step(
        new Map([
          [0, 1 + (tick % 4)],
          [1, 5],
        ]),
      );
      const common = builder.next(world);
      frames.begin(common);
      const owns: (OwnFields | null)[] = [
        null,
        { you: selfState(players[0], tick) },
        { you: selfState(players[1], -1), ts: 1_700_000_000_000.5 + tick },
        { ts: 42 },
      ];
      for (const own of owns) {
        const frame = frames.frame(own);
        const whole = { ...common, ...own };
        expect(frame.equals(socketIoPacket(whole))).toBe(true);
        expect(decoded(frame)).toEqual({ type: 2, data: ['game:delta', whole], nsp: '/' });
      }
    }
  });
});
