/** notepack.io (the msgpack codec of socket.io-msgpack-parser) ships no types. */
declare module 'notepack.io' {
  export function encode(value: unknown): Buffer;
  export function decode(bytes: Uint8Array): unknown;
}
