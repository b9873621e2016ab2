/**
 * Small dense linear algebra on row-major typed arrays, for m×m matrices with m ≤ 64.
 *
 * TensorFlow.js has no Cholesky, inverse or symmetric eigen-decomposition, and at
 * these sizes a plain O(n³) loop in float64 is both faster than a round-trip through
 * tensors and more accurate than float32 kernels. Every matrix is a row-major array of
 * length rows·cols; inputs may be any `ArrayLike<number>` (e.g. a `Float32Array` read
 * back from a tensor) and every output is a fresh `Float64Array`.
 */

/** Relative pivot tolerance for {@link choleskyPsd}, as a fraction of the largest diagonal entry. */
const PSD_PIVOT_TOL = 1e-12;

/**
 * Throws unless `a` holds exactly rows·cols entries.
 *
 * @param a - the matrix to check.
 * @param rows - expected number of rows.
 * @param cols - expected number of columns.
 * @param where - name of the calling function, for the message.
 */
function checkShape(a: ArrayLike<number>, rows: number, cols: number, where: string): void {
  if (a.length !== rows * cols) {
    throw new Error(`${where}: expected ${rows}×${cols} = ${rows * cols} entries, got ${a.length}`);
  }
}

/**
 * Returns the n×n identity matrix.
 *
 * @param n - the order of the matrix.
 */
export function identity(n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

/**
 * Returns the transpose of a rows×cols matrix, as a cols×rows matrix.
 *
 * @param a - the rows×cols input, row-major.
 * @param rows - number of rows of `a`.
 * @param cols - number of columns of `a`.
 */
export function transpose(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  checkShape(a, rows, cols, 'transpose');
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j];
  }
  return out;
}

/**
 * Returns the product of an n×k and a k×p matrix, as an n×p matrix.
 *
 * @param a - the n×k left factor, row-major.
 * @param b - the k×p right factor, row-major.
 * @param n - rows of `a`.
 * @param k - columns of `a` and rows of `b`.
 * @param p - columns of `b`.
 */
export function matMul(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  n: number,
  k: number,
  p: number,
): Float64Array {
  checkShape(a, n, k, 'matMul');
  checkShape(b, k, p, 'matMul');
  const out = new Float64Array(n * p);
  // i-l-j loop order walks both `b` and `out` along rows, which keeps access contiguous.
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < k; l++) {
      const ail = a[i * k + l];
      if (ail === 0) continue;
      for (let j = 0; j < p; j++) out[i * p + j] += ail * b[l * p + j];
    }
  }
  return out;
}

/**
 * Returns the lower-triangular factor L with L Lᵀ = a of a symmetric positive
 * semi-definite matrix, zeroing the columns whose pivots vanish.
 *
 * Why tolerant: the caller samples N(0, Σ c cᵀ) from a Gram matrix that is often
 * rank-deficient, so exact-zero or round-off-negative pivots are expected rather than
 * errors. A pivot at or below 1e-12 × (largest diagonal entry) marks a direction with no
 * variance; zeroing its column keeps L Lᵀ = a to round-off and never yields NaN, and a
 * kept column stays bounded because for PSD input |L_ij| ≤ √(a_ii).
 *
 * Only the lower triangle of `a` is read.
 *
 * @param a - the n×n symmetric PSD matrix, row-major.
 * @param n - the order of `a`.
 * @returns a new n×n lower-triangular matrix, row-major.
 */
export function choleskyPsd(a: ArrayLike<number>, n: number): Float64Array {
  checkShape(a, n, n, 'choleskyPsd');
  const l = new Float64Array(n * n);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, a[i * n + i]);
  // An all-zero (or non-positive-diagonal) PSD matrix is the zero matrix: L = 0.
  if (!(maxDiag > 0)) return l;
  const threshold = PSD_PIVOT_TOL * maxDiag;

  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
    // `!(d > threshold)` also drops a NaN pivot rather than spreading it down the column.
    if (!(d > threshold)) continue;
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / ljj;
    }
  }
  return l;
}

/**
 * Solves L X = B for X by forward substitution.
 *
 * @param l - the n×n lower-triangular matrix, row-major; the strict upper triangle is ignored.
 * @param b - the n×k right-hand side, row-major.
 * @param n - the order of `l`.
 * @param k - the number of right-hand-side columns.
 * @returns X, a new n×k matrix.
 * @throws Error if a diagonal entry of `l` is zero.
 */
export function solveLower(
  l: ArrayLike<number>,
  b: ArrayLike<number>,
  n: number,
  k: number,
): Float64Array {
  checkShape(l, n, n, 'solveLower');
  checkShape(b, n, k, 'solveLower');
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    const lii = l[i * n + i];
    if (lii === 0) throw new Error(`solveLower: zero pivot at row ${i}; L is singular`);
    for (let m = 0; m < i; m++) {
      const lim = l[i * n + m];
      if (lim === 0) continue;
      for (let c = 0; c < k; c++) x[i * k + c] -= lim * x[m * k + c];
    }
    for (let c = 0; c < k; c++) x[i * k + c] /= lii;
  }
  return x;
}

/**
 * Solves U X = B for X by back substitution.
 *
 * @param u - the n×n upper-triangular matrix, row-major; the strict lower triangle is ignored.
 * @param b - the n×k right-hand side, row-major.
 * @param n - the order of `u`.
 * @param k - the number of right-hand-side columns.
 * @returns X, a new n×k matrix.
 * @throws Error if a diagonal entry of `u` is zero.
 */
export function solveUpper(
  u: ArrayLike<number>,
  b: ArrayLike<number>,
  n: number,
  k: number,
): Float64Array {
  checkShape(u, n, n, 'solveUpper');
  checkShape(b, n, k, 'solveUpper');
  const x = Float64Array.from(b);
  for (let i = n - 1; i >= 0; i--) {
    const uii = u[i * n + i];
    if (uii === 0) throw new Error(`solveUpper: zero pivot at row ${i}; U is singular`);
    for (let m = i + 1; m < n; m++) {
      const uim = u[i * n + m];
      if (uim === 0) continue;
      for (let c = 0; c < k; c++) x[i * k + c] -= uim * x[m * k + c];
    }
    for (let c = 0; c < k; c++) x[i * k + c] /= uii;
  }
  return x;
}

/**
 * Returns the inverse of a symmetric positive-definite matrix, computed via Cholesky.
 *
 * Why Cholesky rather than Gauss–Jordan: a⁻¹ = L⁻ᵀ L⁻¹ needs no pivoting for SPD input,
 * costs about half as much, and a non-positive pivot doubles as the positive-definiteness
 * test. Only the lower triangle of `a` is read; the result is symmetric by construction.
 *
 * @param a - the n×n SPD matrix, row-major.
 * @param n - the order of `a`.
 * @returns a new n×n matrix, the inverse of `a`.
 * @throws Error if `a` is not positive definite.
 */
export function invertSpd(a: ArrayLike<number>, n: number): Float64Array {
  checkShape(a, n, n, 'invertSpd');
  // Strict Cholesky: unlike choleskyPsd, a vanishing pivot is an error here.
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
    if (!(d > 0) || !Number.isFinite(d)) {
      throw new Error(`invertSpd: matrix is not positive definite (pivot k = ${j})`);
    }
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / ljj;
    }
  }

  const linv = solveLower(l, identity(n), n, n);
  // a⁻¹ = (L⁻¹)ᵀ L⁻¹; fill both triangles from one sum so the result is exactly symmetric.
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      // L⁻¹ is lower-triangular, so rows above max(i, j) contribute nothing.
      for (let m = i; m < n; m++) s += linv[m * n + i] * linv[m * n + j];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/**
 * Returns the eigen-decomposition a = V diag(values) Vᵀ of a symmetric matrix by cyclic
 * Jacobi rotations.
 *
 * Why Jacobi: for m ≤ 64 it is short, needs no tridiagonalisation, and gives eigenvectors
 * orthonormal to working precision even for clustered eigenvalues.
 *
 * @param a - the n×n symmetric matrix, row-major; assumed symmetric, not checked.
 * @param n - the order of `a`.
 * @param opts - `maxSweeps` (default 100) caps the number of full sweeps over the upper
 *   triangle; `tol` (default 1e-12) stops once the off-diagonal Frobenius norm falls below
 *   tol · ‖a‖_F.
 * @returns `values`, the eigenvalues sorted descending, and `vectors`, an n×n row-major
 *   matrix whose column j is the unit eigenvector for `values[j]`.
 */
export function jacobiEigenSymmetric(
  a: ArrayLike<number>,
  n: number,
  opts?: { maxSweeps?: number; tol?: number },
): { values: Float64Array; vectors: Float64Array } {
  checkShape(a, n, n, 'jacobiEigenSymmetric');
  const maxSweeps = opts?.maxSweeps ?? 100;
  const tol = opts?.tol ?? 1e-12;
  const w = Float64Array.from(a);
  const v = identity(n);

  let normSq = 0;
  for (let i = 0; i < n * n; i++) normSq += w[i] * w[i];
  const stop = tol * Math.sqrt(normSq);

  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let offSq = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) if (i !== j) offSq += w[i * n + j] * w[i * n + j];
    }
    if (Math.sqrt(offSq) <= stop) break;

    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = w[p * n + q];
        if (apq === 0) continue;
        // Rotation J that zeroes the (p, q) entry of Jᵀ W J (Golub & Van Loan, sym.schur2).
        // Taking the smaller root t keeps |θ| ≤ π/4, which is what makes the sweep converge;
        // hypot avoids overflow of θ² when apq is tiny relative to the diagonal gap.
        const theta = (w[q * n + q] - w[p * n + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.hypot(theta, 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;

        // W ← W J (columns p, q), then W ← Jᵀ W (rows p, q), then V ← V J.
        for (let k = 0; k < n; k++) {
          const wkp = w[k * n + p];
          const wkq = w[k * n + q];
          w[k * n + p] = c * wkp - s * wkq;
          w[k * n + q] = s * wkp + c * wkq;
        }
        for (let k = 0; k < n; k++) {
          const wpk = w[p * n + k];
          const wqk = w[q * n + k];
          w[p * n + k] = c * wpk - s * wqk;
          w[q * n + k] = s * wpk + c * wqk;
        }
        // The rotation zeroes this pair in exact arithmetic; store the exact zero so the
        // round-off residue does not get rotated back into other entries.
        w[p * n + q] = 0;
        w[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }

  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => w[j * n + j] - w[i * n + i]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = w[src * n + src];
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src];
  });
  return { values, vectors };
}

/**
 * U diag(values) Uᵀ for eigenvectors as the columns of `vectors` (n×n, row-major): a symmetric
 * matrix rebuilt from, or given, its spectrum.
 */
export function fromEigen(values: ArrayLike<number>, vectors: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += vectors[i * n + j] * values[j] * vectors[k * n + j];
      out[i * n + k] = sum;
    }
  }
  return out;
}
