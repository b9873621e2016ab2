import { createRequire } from 'node:module';
import { UsageError } from '../errors.js';
import { tf } from './tf.js';

/** The backends we can run on, fastest first. */
export const BACKENDS = ['node-gpu', 'node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface BackendChoice {
  readonly name: BackendName;
  /** Why the faster backends were passed over, for the start-up message. */
  readonly skipped: readonly string[];
}

const require = createRequire(import.meta.url);

/**
 * Picks the fastest backend that loads here: tfjs-node-gpu, then tfjs-node (both optional
 * dependencies whose install needs a download), then WebAssembly, then plain JavaScript.
 * With `preferred` set, only that backend is tried and failure is an error.
 * @example const { name } = await selectBackend(); console.log(`backend: ${name}`);
 */
export async function selectBackend(preferred?: string): Promise<BackendChoice> {
  if (preferred !== undefined && !(BACKENDS as readonly string[]).includes(preferred)) {
    throw new UsageError(`--backend: unknown backend ${JSON.stringify(preferred)}; choose one of ${BACKENDS.join(', ')}`);
  }
  const candidates = preferred ? [preferred as BackendName] : BACKENDS;
  const skipped: string[] = [];
  for (const name of candidates) {
    const failure = await tryBackend(name);
    if (failure === null) return { name, skipped };
    if (preferred) throw new UsageError(`--backend ${name}: not available here (${failure})`);
    skipped.push(`${name}: ${failure}`);
  }
  throw new Error(`no TensorFlow.js backend could be initialised:\n  ${skipped.join('\n  ')}`);
}

/** The backend tfjs is using now, in our naming. */
export function activeBackend(): BackendName {
  const name = tf.getBackend();
  if (name === 'tensorflow') return isGpuBuild() ? 'node-gpu' : 'node';
  return name as BackendName;
}

async function tryBackend(name: BackendName): Promise<string | null> {
  try {
    switch (name) {
      case 'node-gpu':
        require('@tensorflow/tfjs-node-gpu');
        return (await tf.setBackend('tensorflow')) ? null : 'tensorflow backend did not initialise';
      case 'node':
        require('@tensorflow/tfjs-node');
        return (await tf.setBackend('tensorflow')) ? null : 'tensorflow backend did not initialise';
      case 'wasm':
        require('@tensorflow/tfjs-backend-wasm');
        return (await tf.setBackend('wasm')) ? null : 'wasm backend did not initialise';
      case 'cpu': {
        const ok = await tf.setBackend('cpu');
        // The cpu backend greets Node users with an advert for tfjs-node on first use; we
        // already print the backend choice, so silence it.
        (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
        return ok ? null : 'cpu backend did not initialise';
      }
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'MODULE_NOT_FOUND' ? 'not installed' : (error as Error).message.split('\n')[0];
  }
}

function isGpuBuild(): boolean {
  try {
    require.resolve('@tensorflow/tfjs-node-gpu');
    return true;
  } catch {
    return false;
  }
}
