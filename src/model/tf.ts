/**
 * The one import of TensorFlow.js in the project.
 *
 * We use the union package because its Node bundle registers the gradient of every kernel;
 * `@tensorflow/tfjs-core`'s own Node bundle ships without them.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
export type { Tensor, Tensor1D, Tensor2D, Variable, Scalar } from '@tensorflow/tfjs';
