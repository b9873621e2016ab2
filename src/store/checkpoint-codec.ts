import { StateError } from '../errors.js';
import type { TrainStateSnapshot } from '../model/train-state.js';

/** What a checkpoint holds: the training state, plus JSON state of other stateful parts. */
export interface CheckpointPayload {
  readonly train: TrainStateSnapshot;
  /** e.g. detector state; plain JSON values. */
  readonly extras?: Readonly<Record<string, unknown>>;
}

const MAGIC = 0x4b435750; // "PWCK" little-endian
const VERSION = 1;

interface Header {
  step: number;
  d: number;
  m: number;
  optimizer: { kind: TrainStateSnapshot['optimizer']['kind']; iterations: number };
  arrays: { name: string; length: number }[];
  extras?: Record<string, unknown>;
}

/**
 * Serialises a checkpoint: a small binary frame (magic, version, JSON header) followed by the
 * raw float32 arrays, so restoring is bit-exact and cheap.
 */
export function encodeCheckpoint(payload: CheckpointPayload): Uint8Array {
  const { train } = payload;
  const arrays: [string, Float32Array][] = [
    ['W', train.W],
    ['E', train.E],
    ...Object.entries(train.optimizer.slots).map(([name, value]) => [`slot:${name}`, value] as [string, Float32Array]),
  ];
  const header: Header = {
    step: train.step,
    d: train.d,
    m: train.m,
    optimizer: { kind: train.optimizer.kind, iterations: train.optimizer.iterations },
    arrays: arrays.map(([name, value]) => ({ name, length: value.length })),
    ...(payload.extras ? { extras: { ...payload.extras } } : {}),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const dataOffset = align4(12 + headerBytes.length);
  const total = dataOffset + arrays.reduce((sum, [, value]) => sum + value.byteLength, 0);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, headerBytes.length, true);
  bytes.set(headerBytes, 12);
  let at = dataOffset;
  for (const [, value] of arrays) {
    bytes.set(new Uint8Array(value.buffer, value.byteOffset, value.byteLength), at);
    at += value.byteLength;
  }
  return bytes;
}

/** @throws StateError when the bytes are not a checkpoint of a version we read. */
export function decodeCheckpoint(bytes: Uint8Array): CheckpointPayload {
  if (bytes.byteLength < 12) throw new StateError(`checkpoint is truncated (${bytes.byteLength} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new StateError('not a phasewatch checkpoint (bad magic number)');
  const version = view.getUint32(4, true);
  if (version !== VERSION) throw new StateError(`checkpoint format version ${version} is not supported (this build reads version ${VERSION})`);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.byteLength) throw new StateError('checkpoint is truncated in its header');
  const header = parseHeader(bytes.subarray(12, 12 + headerLength));
  // Copy into fresh buffers: the blob's buffer may be shared and unaligned.
  const aligned = bytes.slice(align4(12 + headerLength));
  const arrays = new Map<string, Float32Array>();
  let at = 0;
  for (const { name, length } of header.arrays) {
    if ((at + length) * 4 > aligned.byteLength) throw new StateError(`checkpoint is truncated in array ${name}`);
    arrays.set(name, new Float32Array(aligned.buffer, at * 4, length).slice());
    at += length;
  }
  const slots: Record<string, Float32Array> = {};
  for (const [name, value] of arrays) if (name.startsWith('slot:')) slots[name.slice(5)] = value;
  const W = arrays.get('W');
  const E = arrays.get('E');
  if (!W || !E) throw new StateError('checkpoint lacks W or E');
  return {
    train: { step: header.step, d: header.d, m: header.m, W, E, optimizer: { ...header.optimizer, slots } },
    ...(header.extras ? { extras: header.extras } : {}),
  };
}

function parseHeader(bytes: Uint8Array): Header {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new StateError(`checkpoint header is not valid JSON: ${(error as Error).message}`);
  }
  const h = header as Partial<Header> | null;
  const wellFormed =
    h !== null &&
    typeof h === 'object' &&
    Number.isInteger(h.step) &&
    Number.isInteger(h.d) &&
    Number.isInteger(h.m) &&
    typeof h.optimizer === 'object' &&
    h.optimizer !== null &&
    Array.isArray(h.arrays) &&
    h.arrays.every((a) => typeof a?.name === 'string' && Number.isInteger(a.length) && a.length >= 0);
  if (!wellFormed) throw new StateError('checkpoint header has the wrong shape (expected step, d, m, optimizer and arrays)');
  return h as Header;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
