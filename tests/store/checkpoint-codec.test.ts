import { describe, expect, it } from 'vitest';
import { StateError } from '../../src/errors.js';
import type { TrainStateSnapshot } from '../../src/model/train-state.js';
import { decodeCheckpoint, encodeCheckpoint, type CheckpointPayload } from '../../src/store/checkpoint-codec.js';

/** A Float32Array holding exactly these bit patterns. */
function fromBits(bits: number[]): Float32Array {
  return new Float32Array(Uint32Array.from(bits).buffer);
}

function bitsOf(a: Float32Array): number[] {
  return Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
}

/** Special float32 values: quiet and signalling NaNs with payloads, ±0, subnormals, ±∞, extremes. */
const SPECIAL_BITS = [
  0x7fc00000, // canonical quiet NaN
  0xffc00001, // negative quiet NaN with a payload
  0x7fa00001, // signalling NaN with a payload
  0x80000000, // −0
  0x00000000, // +0
  0x00000001, // smallest positive subnormal
  0x807fffff, // largest negative subnormal
  0x00400000, // a mid subnormal
  0x7f800000, // +∞
  0xff800000, // −∞
  0x7f7fffff, // largest finite
  0x3f800000, // 1
  0xbeaaaaab, // ≈ −1/3
];

function pseudoRandomBits(n: number, seed: number): number[] {
  let x = seed >>> 0;
  return Array.from({ length: n }, () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x;
  });
}

function adamPayload(): CheckpointPayload {
  const d = 5;
  const m = 3;
  const W = fromBits([...SPECIAL_BITS, ...pseudoRandomBits(d * m - SPECIAL_BITS.length, 1)]);
  const E = fromBits([0x3f800000, 0x80000000, 0x00000001, 0x7fa00001, 0x3f800000, 0xffc00001, 0x00000003, 0x3dcccccd, 0x3f800000]);
  const train: TrainStateSnapshot = {
    step: 123_456_789,
    d,
    m,
    W,
    E,
    optimizer: {
      kind: 'adam',
      iterations: 123_456_789,
      slots: {
        'W/m': fromBits(pseudoRandomBits(d * m, 2)),
        'W/v': fromBits([...SPECIAL_BITS.slice().reverse(), ...pseudoRandomBits(d * m - SPECIAL_BITS.length, 3)]),
        'E/m': fromBits(pseudoRandomBits(m * m, 4)),
        'E/v': fromBits(pseudoRandomBits(m * m, 5)),
      },
    },
  };
  return { train, extras: { detector: { phase: 2, t1: 1500, history: [0.1, -0.5, null, true], label: 'Ⅱ — substitution ✓' }, empty: {} } };
}

function expectSameState(got: CheckpointPayload, want: CheckpointPayload): void {
  expect(got.train.step).toBe(want.train.step);
  expect(got.train.d).toBe(want.train.d);
  expect(got.train.m).toBe(want.train.m);
  expect(got.train.W).toBeInstanceOf(Float32Array);
  expect(bitsOf(got.train.W)).toEqual(bitsOf(want.train.W));
  expect(bitsOf(got.train.E)).toEqual(bitsOf(want.train.E));
  expect(got.train.optimizer.kind).toBe(want.train.optimizer.kind);
  expect(got.train.optimizer.iterations).toBe(want.train.optimizer.iterations);
  expect(Object.keys(got.train.optimizer.slots).sort()).toEqual(Object.keys(want.train.optimizer.slots).sort());
  for (const [name, slot] of Object.entries(want.train.optimizer.slots)) {
    expect(bitsOf(got.train.optimizer.slots[name])).toEqual(bitsOf(slot));
  }
}

/** Runs `fn`, expects a StateError, and returns its message. */
function stateErrorOf(fn: () => unknown): string {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(StateError);
  expect((caught as StateError).code).toBe('E_STATE');
  return (caught as StateError).message;
}

describe('checkpoint codec round trip', () => {
  it('is bit-exact for W, E and Adam slots, including NaN payloads, −0 and subnormals', () => {
    const payload = adamPayload();
    // The special patterns really are what the test claims.
    expect(Number.isNaN(payload.train.W[0])).toBe(true);
    expect(Object.is(payload.train.W[3], -0)).toBe(true);
    expect(payload.train.W[5]).toBeGreaterThan(0);
    expect(payload.train.W[5]).toBeLessThan(1.2e-38);
    const bytes = encodeCheckpoint(payload);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('PWCK');
    const decoded = decodeCheckpoint(bytes);
    expectSameState(decoded, payload);
    expect(Object.is(decoded.train.W[3], -0)).toBe(true);
    expect(decoded.extras).toEqual(payload.extras);
  });

  it('round-trips an SGD state with no slots and no extras', () => {
    const payload: CheckpointPayload = {
      train: { step: 0, d: 3, m: 1, W: Float32Array.of(0.5, -0.25, 1e-30), E: Float32Array.of(1), optimizer: { kind: 'sgd', iterations: 0, slots: {} } },
    };
    const decoded = decodeCheckpoint(encodeCheckpoint(payload));
    expectSameState(decoded, payload);
    expect(decoded.extras).toBeUndefined();
    expect('extras' in decoded).toBe(false);
  });

  it('encodes only the viewed part of arrays that are views into larger buffers', () => {
    const backing = fromBits(pseudoRandomBits(40, 9));
    const W = backing.subarray(3, 3 + 6); // byteOffset 12
    const E = backing.subarray(20, 24);
    const payload: CheckpointPayload = { train: { step: 7, d: 3, m: 2, W, E, optimizer: { kind: 'sgd', iterations: 7, slots: {} } } };
    const decoded = decodeCheckpoint(encodeCheckpoint(payload));
    expect(decoded.train.W.length).toBe(6);
    expect(decoded.train.E.length).toBe(4);
    expectSameState(decoded, payload);
  });

  it('decodes from a Uint8Array view at an odd offset into a larger buffer', () => {
    const payload = adamPayload();
    const bytes = encodeCheckpoint(payload);
    for (const offset of [1, 3, 5]) {
      const big = new Uint8Array(bytes.length + 16).fill(0xa5);
      big.set(bytes, offset);
      const view = big.subarray(offset, offset + bytes.length);
      expect(view.byteOffset % 4).not.toBe(0);
      const decoded = decodeCheckpoint(view);
      expectSameState(decoded, payload);
      expect(decoded.extras).toEqual(payload.extras);
    }
  });

  it('decoded arrays are independent copies of the input bytes', () => {
    const payload = adamPayload();
    const bytes = encodeCheckpoint(payload);
    const decoded = decodeCheckpoint(bytes);
    const before = bitsOf(decoded.train.W);
    bytes.fill(0);
    expect(bitsOf(decoded.train.W)).toEqual(before);
    // And encoding did not alias the payload's arrays either.
    const again = encodeCheckpoint(payload);
    payload.train.W.fill(0);
    expect(bitsOf(decodeCheckpoint(again).train.W)).toEqual(before);
  });

  it('encoding is deterministic', () => {
    expect(encodeCheckpoint(adamPayload())).toEqual(encodeCheckpoint(adamPayload()));
  });
});

describe('checkpoint codec errors', () => {
  const good = encodeCheckpoint(adamPayload());

  it('garbage bytes are refused with a StateError', () => {
    const garbage = Uint8Array.from(pseudoRandomBits(200, 77).map((x) => x >>> 24));
    expect(stateErrorOf(() => decodeCheckpoint(garbage))).toMatch(/not a phasewatch checkpoint|magic/i);
    expect(stateErrorOf(() => decodeCheckpoint(new TextEncoder().encode('{"step": 1, "W": [1, 2, 3]}')))).toMatch(/magic|checkpoint/i);
  });

  it('a wrong magic number is refused', () => {
    const bad = good.slice();
    bad[0] ^= 0xff;
    expect(stateErrorOf(() => decodeCheckpoint(bad))).toMatch(/magic/i);
  });

  it('a future format version is refused naming the version', () => {
    const bad = good.slice();
    new DataView(bad.buffer).setUint32(4, 2, true);
    const message = stateErrorOf(() => decodeCheckpoint(bad));
    expect(message).toContain('version');
    expect(message).toContain('2');
  });

  it('fewer bytes than the fixed frame are refused as truncated', () => {
    for (const n of [0, 1, 4, 8, 11]) expect(stateErrorOf(() => decodeCheckpoint(good.subarray(0, n)))).toMatch(/truncated/i);
  });

  it('a buffer cut inside the array data is refused as truncated', () => {
    for (const cut of [1, 2, 4, 37, 4 * 9 + 1]) {
      expect(stateErrorOf(() => decodeCheckpoint(good.subarray(0, good.length - cut)))).toMatch(/truncated/i);
    }
  });

  it('a buffer cut inside the JSON header is refused with a StateError', () => {
    const headerLength = new DataView(good.buffer).getUint32(8, true);
    const failures: string[] = [];
    for (const n of [12, 13, 12 + Math.floor(headerLength / 2), 12 + headerLength - 1]) {
      try {
        decodeCheckpoint(good.subarray(0, n));
        failures.push(`${n} bytes: decoded`);
      } catch (error) {
        if (!(error instanceof StateError)) failures.push(`${n} bytes: ${(error as Error).name}: ${(error as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('truncation at any length is refused with a StateError', () => {
    const failures: string[] = [];
    for (let n = 0; n < good.length; n++) {
      try {
        decodeCheckpoint(good.subarray(0, n));
        failures.push(`${n}: decoded`);
      } catch (error) {
        if (!(error instanceof StateError)) failures.push(`${n}: ${(error as Error).name}`);
      }
    }
    expect({ count: failures.length, first: failures.slice(0, 3) }).toEqual({ count: 0, first: [] });
  });

  it('a header that is not JSON, or JSON of the wrong shape, is refused with a StateError', () => {
    function frame(header: string): Uint8Array {
      const text = new TextEncoder().encode(header);
      const out = new Uint8Array(12 + text.length + 4);
      out.set(good.subarray(0, 8)); // a valid magic number and version
      new DataView(out.buffer).setUint32(8, text.length, true);
      out.set(text, 12);
      return out;
    }
    const failures: string[] = [];
    for (const header of ['{"step": 1, "arr', 'null', '{"step": 1}', '{"step":1,"d":1,"m":1,"optimizer":{"kind":"sgd","iterations":0},"arrays":[]}']) {
      try {
        decodeCheckpoint(frame(header));
        failures.push(`${header}: decoded`);
      } catch (error) {
        if (!(error instanceof StateError)) failures.push(`${header}: ${(error as Error).name}: ${(error as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
