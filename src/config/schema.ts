import { z } from 'zod';

/**
 * The run configuration: every parameter of SPEC §1–2 with the defaults of SPEC §5.
 *
 * Objects are strict so a misspelt key is an error instead of a silently ignored setting, and
 * nested groups use `prefault({})` so a partial group is completed from the field defaults.
 */
export const DataSchema = z
  .strictObject({
    /** Ambient dimension of a patch. */
    d: z.number().int().min(3).max(4096).default(64),
    /** Patches per sample. */
    P: z.number().int().min(2).max(256).default(16),
    /** Feature patches per sample, |S(X)|. */
    k: z.number().int().min(1).max(256).default(4),
    /** Patches kept by view 1 (|𝒫|); null means P/2 (rounded down). */
    viewSize: z.number().int().min(1).nullable().default(null),
    /** Magnitude of the strong feature v_1. */
    alpha1: z.number().positive().max(1e3).default(1.0),
    /** Magnitude of the weak feature v_2. */
    alpha2: z.number().positive().max(1e3).default(0.8),
    /** Standard deviation of each coordinate of a noise patch. */
    sigmaXi: z.number().min(0).max(1e3).default(0.34),
    /** Probability that a sample carries the strong feature. */
    pStrong: z.number().min(0).max(1).default(0.5),
    /** Batch size N, drawn fresh every step. */
    batchSize: z.number().int().min(2).max(1 << 16).default(1024),
    /** `projected`: sample Wᵀξ directly (exact in distribution, fast); `explicit`: materialise ξ. */
    noise: z.enum(['projected', 'explicit']).default('projected'),
    /** `axis`: v_1 = e_1, v_2 = e_2; `random`: a random orthonormal pair drawn from the seed. */
    features: z.enum(['axis', 'random']).default('axis'),
  })
  .prefault({});

export const InitSchema = z
  .strictObject({
    /** `controlled`: prescribed overlaps ⟨w_j, v_ℓ⟩ = σ_0·overlap, ‖w_j‖ = 1; `random`: w_j ~ N(0, σ_0² I). */
    mode: z.enum(['controlled', 'random']).default('controlled'),
    /** Init scale σ_0; null means 1/√d. */
    sigma0: z.number().positive().max(10).nullable().default(null),
    /** Overlaps in units of σ_0: rows v_1, v_2; columns w_1, w_2. */
    overlap: z
      .array(z.array(z.number()).length(2))
      .length(2)
      .default([
        [1.5, 1.0],
        [1.0, 1.3],
      ]),
  })
  .prefault({});

export const ModelSchema = z
  .strictObject({
    /** Number of neurons (width of the encoder and size of the head). */
    m: z.number().int().min(1).max(256).default(2),
    /** `cubic`: σ(z) = z³; `truncated`: z³ for |z| ≤ rho, continued linearly beyond. */
    activation: z.enum(['cubic', 'truncated']).default('cubic'),
    /** Truncation point of the `truncated` activation. */
    rho: z.number().positive().max(1e3).default(1),
    /** `unit`: renormalise every w_j to unit norm after each step (the weight-normalisation ablation). */
    weightNorm: z.enum(['none', 'unit']).default('none'),
    /**
     * How gradients are computed: the hand-derived `closed-form` backward pass (fast, the
     * default) or tfjs `autodiff` (the reference it is tested against). They agree to float
     * rounding, not bit for bit.
     */
    backward: z.enum(['closed-form', 'autodiff']).default('closed-form'),
  })
  .prefault({});

export const HeadSchema = z
  .strictObject({
    /** Which entries of E train: `offdiag` (diagonal fixed at 1), `full`, or `none` (E ≡ I). */
    mode: z.enum(['offdiag', 'full', 'none']).default('offdiag'),
  })
  .prefault({});

export const NormSchema = z
  .strictObject({
    /** `bn`: BatchNorm per coordinate over the batch; `l2`: per-sample ℓ2 normalisation; `off`. */
    mode: z.enum(['bn', 'l2', 'off']).default('bn'),
    /** Added to the variance (bn) or squared norm (l2) before the square root. */
    eps: z.number().min(0).max(1e-2).default(1e-8),
  })
  .prefault({});

export const StopGradSchema = z
  .strictObject({
    /** Which branch is held constant: the `target` G (the paper), the `online` F, or `none`. */
    mode: z.enum(['target', 'online', 'none']).default('target'),
  })
  .prefault({});

export const OptimSchema = z
  .strictObject({
    kind: z.enum(['sgd', 'adam']).default('sgd'),
    /** Learning rate η of the encoder W. */
    lrW: z.number().min(0).max(100).default(0.01),
    /** Learning rate η_E of the head E. */
    lrE: z.number().min(0).max(100).default(0.001),
    beta1: z.number().min(0).lt(1).default(0.9),
    beta2: z.number().min(0).lt(1).default(0.999),
    eps: z.number().positive().max(1).default(1e-8),
  })
  .prefault({});

export const LogSchema = z
  .strictObject({
    /** Record metrics every this many steps. */
    metricsEvery: z.number().int().min(1).max(1_000_000).default(10),
    /** Save a checkpoint every this many steps (also on pause, stop and completion). */
    checkpointEvery: z.number().int().min(1).max(100_000_000).default(1000),
  })
  .prefault({});

/** A series name as recorded (`loss`, `E_2_1`, a plug-in's own names). */
const seriesName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/, 'must be a series name such as loss or E_2_1');

export const PhasesSchema = z
  .strictObject({
    theory: z
      .strictObject({
        /** Detect the paper's phases and terminal states with the SPEC §3 rules. */
        enabled: z.boolean().default(true),
        /** Phase III begins once E_kj* has fallen this fraction below its peak (with w_k turning to v_2). */
        peakDrop: z.number().gt(0).lt(1).default(0.01),
        /** Stalled II is judged over windows of this many steps. */
        stallWindow: z.number().int().min(1).max(100_000_000).default(4000),
      })
      .prefault({}),
    changePoints: z
      .strictObject({
        /** Series watched for change points; any recorded series, custom ones included. */
        series: z.array(seriesName).max(32).default(['loss']),
        /** Records used to fix each series' centre and noise scale before detection starts. */
        warmup: z.number().int().min(5).max(100_000).default(50),
        bocpd: z
          .strictObject({
            enabled: z.boolean().default(true),
            /** Prior expected segment length in records: the hazard is its inverse. */
            expectedRunLength: z.number().min(2).max(1e9).default(250),
            /** Posterior probability of a change within the last 50 records that raises an alarm. */
            threshold: z.number().gt(0).lt(1).default(0.9),
            /** Run lengths kept (the tail is merged), bounding time and memory per record; above the 50-record alarm window. */
            maxRunLength: z.number().int().min(64).max(10_000).default(400),
          })
          .prefault({}),
        pageHinkley: z
          .strictObject({
            enabled: z.boolean().default(true),
            /** Drift tolerated, in noise standard deviations. */
            delta: z.number().min(0).max(100).default(0.5),
            /** Alarm threshold on the cumulative statistic, in noise standard deviations. */
            lambda: z.number().gt(0).max(1e6).default(12),
          })
          .prefault({}),
      })
      .prefault({}),
  })
  .prefault({});

export const MetricsSchema = z
  .strictObject({
    /** The closed-form predictors of SPEC §6 beside the learned head: E*, DirectPred's W_DP and the distances to them. */
    predictors: z.boolean().default(true),
    /** The effective rank of the representations (of their correlation matrix over the batch). */
    rank: z.boolean().default(true),
    /** Gradient norms per parameter group (W and E). */
    gradients: z.boolean().default(true),
    /** Plug-in modules (absolute paths of .ts or .js files) whose metrics are recorded beside the built-ins. */
    plugins: z.array(z.string().min(1).max(4096)).max(32).default([]),
    /** A plug-in whose calls average more than this many milliseconds is sampled half as often (reported once). */
    budgetMs: z.number().positive().max(60_000).default(25),
  })
  .prefault({});

export const RunConfigSchema = z
  .strictObject({
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
    steps: z.number().int().min(1).max(1_000_000_000).default(30_000),
    data: DataSchema,
    init: InitSchema,
    model: ModelSchema,
    head: HeadSchema,
    norm: NormSchema,
    stopGrad: StopGradSchema,
    optim: OptimSchema,
    log: LogSchema,
    phases: PhasesSchema,
    metrics: MetricsSchema,
  })
  .superRefine((c, ctx) => {
    const { P, k } = c.data;
    if (k > P) ctx.addIssue({ code: 'custom', path: ['data', 'k'], message: `must be at most data.P = ${P}` });
    const view = c.data.viewSize ?? Math.floor(P / 2);
    if (view >= P) ctx.addIssue({ code: 'custom', path: ['data', 'viewSize'], message: `must be less than data.P = ${P} so that view 2 keeps a patch` });
    if (c.init.mode === 'controlled') {
      if (c.model.m < 2) ctx.addIssue({ code: 'custom', path: ['model', 'm'], message: 'controlled init needs m ≥ 2 (set init.mode=random for m = 1)' });
      const sigma0 = c.init.sigma0 ?? 1 / Math.sqrt(c.data.d);
      for (let j = 0; j < 2; j++) {
        const inSpan = sigma0 * Math.hypot(c.init.overlap[0][j], c.init.overlap[1][j]);
        if (inSpan >= 1) {
          ctx.addIssue({ code: 'custom', path: ['init', 'overlap'], message: `neuron ${j + 1} would need norm ${inSpan.toFixed(3)} ≥ 1 inside span{v_1, v_2}; controlled init sets ‖w_j‖ = 1` });
        }
      }
    }
  });

export type RunConfig = z.output<typeof RunConfigSchema>;
export type RunConfigInput = z.input<typeof RunConfigSchema>;

/** Derived sizes used throughout the model, computed once from a config. */
export function viewSizes(config: RunConfig): readonly [number, number] {
  const first = config.data.viewSize ?? Math.floor(config.data.P / 2);
  return [first, config.data.P - first];
}

/** σ_0 with its default 1/√d resolved. */
export function initScale(config: RunConfig): number {
  return config.init.sigma0 ?? 1 / Math.sqrt(config.data.d);
}
