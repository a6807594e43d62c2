/// <reference path="./notepack.d.ts" />
import type { DeltaMessage } from '@aikon/protocol';
import { encode } from 'notepack.io';

/** The member-specific fields of a delta (its own state; the benchmark's stamp). */
export type OwnFields = Pick<DeltaMessage, 'you'> & { ts?: number };

// A Socket.IO event packet as the msgpack parser encodes it ({ type: EVENT, data: [event, msg],
// nsp }), cut where the message goes: the only nil byte of the template (short ASCII strings and
// small integers around it never encode as 0xc0).
const TEMPLATE = encode({ type: 2, data: ['game:delta', null], nsp: '/' });
const AT = TEMPLATE.indexOf(0xc0);
const HEAD = TEMPLATE.subarray(0, AT);
const TAIL = TEMPLATE.subarray(AT + 1);

/** A msgpack map's entry count and header length. */
function mapHeader(bytes: Buffer): { entries: number; size: number } {
  const b = bytes[0];
  if (b >= 0x80 && b <= 0x8f) return { entries: b & 0x0f, size: 1 };
  if (b === 0xde) return { entries: bytes.readUInt16BE(1), size: 3 };
  if (b === 0xdf) return { entries: bytes.readUInt32BE(1), size: 5 };
  throw new Error(`not a msgpack map (first byte 0x${b.toString(16)})`);
}

function encodeMapHeader(entries: number): Buffer {
  if (entries < 0x10) return Buffer.of(0x80 | entries);
  if (entries < 0x10000) return Buffer.of(0xde, entries >> 8, entries & 0xff);
  throw new Error('a delta with 65,536 fields or more');
}

/**
 * One tick's `game:delta` frames, ready for the members' connections. A delta is what every
 * member sees (the world's changes) plus its own fields; the shared part is encoded once per tick
 * and each member's frame splices its own few fields in. The bytes are exactly those Socket.IO's
 * msgpack parser makes of `{ ...common, ...own }` (checked in delta-frames.test.ts), written
 * straight to the member's Engine.IO connection: no per-member encoding of the world's changes,
 * no per-member pass through the adapter (connection state recovery stores no deltas anyway).
 */
export class DeltaFrames {
  private entries = 0;
  private shared: Buffer = Buffer.alloc(0);
  private plain: Buffer | null = null;

  /** The part of this tick's delta that every member gets. */
  begin(common: Omit<DeltaMessage, 'you'>): void {
    const bytes = encode(common);
    const { entries, size } = mapHeader(bytes);
    this.entries = entries;
    this.shared = bytes.subarray(size);
    this.plain = null;
  }

  /** The packet of a member with these own fields (none: the same packet for all such members). */
  frame(own: OwnFields | null): Buffer {
    if (own === null) {
      this.plain ??= Buffer.concat([HEAD, encodeMapHeader(this.entries), this.shared, TAIL]);
      return this.plain;
    }
    const mine = encode(own);
    const { entries, size } = mapHeader(mine);
    return Buffer.concat([HEAD, encodeMapHeader(this.entries + entries), this.shared, mine.subarray(size), TAIL]);
  }
}

/** What takes a member's packets: its Engine.IO connection, or its relay process (cluster.ts). */
export interface FrameSink {
  readonly readyState: string;
  write(frame: Buffer): unknown;
}

/** Hands a packet to the member's Engine.IO connection (as Socket.IO would: only while it is open). */
export function writeFrame(socket: { conn: FrameSink }, frame: Buffer): void {
  if (socket.conn.readyState === 'open') socket.conn.write(frame);
}
