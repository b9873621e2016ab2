import { tf } from '../src/model/tf.js';
import '@tensorflow/tfjs-backend-wasm';
await tf.setBackend('wasm');
function time(name: string, fn: () => unknown, n = 2000) { for (let i = 0; i < 200; i++) tf.tidy(() => { fn(); }); const t0 = performance.now(); for (let i = 0; i < n; i++) tf.tidy(() => { fn(); }); console.log(name.padEnd(30), ((performance.now() - t0) / n * 1000).toFixed(1), 'us'); }
const x = tf.randomNormal([2, 16384]); const idx = new Int32Array(16384).map((_, i) => (i * 7919) % 16384); const it = tf.tensor1d(idx, 'int32');
time('gather axis1', () => tf.gather(x, it, 1));
const xt = tf.randomNormal([16384, 2]);
time('gather axis0', () => tf.gather(xt, it, 0));
time('upload idx', () => tf.tensor1d(idx, 'int32'));
time('transpose', () => tf.transpose(xt));
