/**
 * An A/B experiment: named variants, each a registry prompt version and/or a model, with traffic
 * shares in percent. Shares may sum to at most 100; the remainder goes to the control arm (the
 * request as sent, or the experiment's own control prompt/model), which is the baseline every
 * variant is tested against.
 */
import { z } from 'zod';
import { ConduitError } from '../../core/errors.js';
import { parsePromptRef } from '../../prompting/registry.js';

export const CONTROL_VARIANT_ID = 'control';

const idSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'must be 1-64 letters, digits, ., - or _' });

const armSchema = {
  /** A registry prompt, `<domain>/<name>@<version>`, rendered before the caller's messages. */
  prompt: z.string().min(1).optional(),
  /** The model (alias or provider/model) this arm calls instead of the one requested. */
  model: z.string().min(1).optional(),
};

export const variantSchema = z.strictObject({
  id: idSchema,
  /** Percent of users, 0 < share ≤ 100, at most two decimals. */
  share: z.number().positive().max(100),
  ...armSchema,
  description: z.string().optional(),
});

export const experimentSchema = z.strictObject({
  id: idSchema,
  description: z.string().optional(),
  /** What the remainder of the traffic gets; default: the request unchanged. */
  control: z.strictObject(armSchema).default({}),
  variants: z.array(variantSchema).min(1),
  /** Significance level of the analysis. */
  alpha: z.number().gt(0).lt(1).default(0.05),
  /** No verdict while an arm has fewer samples. */
  min_samples_per_arm: z.number().int().min(2).default(30),
  /** The sample size per arm decided up front; analysing earlier warns of peeking. Default: min_samples_per_arm. */
  planned_samples_per_arm: z.number().int().min(2).optional(),
  /** The metric that decides the experiment's winner; the others are reported beside it. */
  primary_metric: z.enum(['score', 'thumbs_up_rate', 'latency_ms', 'total_tokens', 'cost_usd', 'error_rate']).default('score'),
});

/** The `experiments:` section of conduit.yaml: a list of experiments. */
export const experimentsConfigSchema = z.array(experimentSchema).default([]);

export type ExperimentConfig = z.output<typeof experimentSchema>;

export interface Arm {
  id: string;
  /** Percent of users (the control's is the remainder). */
  share: number;
  prompt?: string;
  model?: string;
}

export interface Experiment {
  id: string;
  description?: string;
  /** The control first, then the variants in configured order. */
  arms: Arm[];
  alpha: number;
  minSamplesPerArm: number;
  plannedSamplesPerArm: number;
  primaryMetric: MetricName;
}

export type MetricName = ExperimentConfig['primary_metric'];

/**
 * Checks what the schema cannot (shares sum, unique ids, prompt refs, planned ≥ minimum) and
 * returns the experiment with its control arm made explicit. Throws `invalid_request` on a mistake.
 */
export function defineExperiment(input: z.input<typeof experimentSchema>): Experiment {
  const parsed = experimentSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : issue.path.join('.');
    throw new ConduitError('invalid_request', `Experiment ${describeId(input)}: ${where === '' ? '' : `${where}: `}${issue?.message ?? 'invalid'}`, { code: 'invalid_experiment' });
  }
  const cfg = parsed.data;
  const fail = (message: string): never => {
    throw new ConduitError('invalid_request', `Experiment '${cfg.id}': ${message}`, { code: 'invalid_experiment' });
  };
  const ids = new Set<string>([CONTROL_VARIANT_ID]);
  // Shares are held in basis points: 33.33 + 33.33 + 33.34 must sum to exactly 100.
  let totalBp = 0;
  for (const v of cfg.variants) {
    if (ids.has(v.id)) fail(`variant id '${v.id}' is used twice (or is the reserved '${CONTROL_VARIANT_ID}')`);
    ids.add(v.id);
    const bp = Math.round(v.share * 100);
    if (Math.abs(bp - v.share * 100) > 1e-6) fail(`variant '${v.id}': share ${v.share} has more than two decimals`);
    totalBp += bp;
    if (v.prompt === undefined && v.model === undefined) fail(`variant '${v.id}' changes nothing: give it a prompt, a model or both`);
  }
  if (totalBp > 10_000) fail(`variant shares sum to ${totalBp / 100}%, more than 100%`);
  for (const arm of [cfg.control, ...cfg.variants]) {
    if (arm.prompt !== undefined) {
      const ref = parsePromptRef(arm.prompt);
      // A floating ref (no version) would change what an arm means mid-experiment.
      if (ref.version === undefined) fail(`prompt '${arm.prompt}' must name a version (<domain>/<name>@<version>) so the arm cannot change mid-test`);
    }
  }
  const planned = cfg.planned_samples_per_arm ?? cfg.min_samples_per_arm;
  if (planned < cfg.min_samples_per_arm) fail(`planned_samples_per_arm (${planned}) is below min_samples_per_arm (${cfg.min_samples_per_arm})`);
  const control: Arm = { id: CONTROL_VARIANT_ID, share: (10_000 - totalBp) / 100, ...definedArm(cfg.control) };
  return {
    id: cfg.id,
    ...(cfg.description === undefined ? {} : { description: cfg.description }),
    arms: [control, ...cfg.variants.map((v) => ({ id: v.id, share: v.share, ...definedArm(v) }))],
    alpha: cfg.alpha,
    minSamplesPerArm: cfg.min_samples_per_arm,
    plannedSamplesPerArm: planned,
    primaryMetric: cfg.primary_metric,
  };
}

/** Every configured experiment, checked; ids must be unique. */
export function defineExperiments(inputs: readonly z.input<typeof experimentSchema>[]): Map<string, Experiment> {
  const out = new Map<string, Experiment>();
  for (const input of inputs) {
    const e = defineExperiment(input);
    if (out.has(e.id)) throw new ConduitError('invalid_request', `Experiment id '${e.id}' is configured twice`, { code: 'invalid_experiment' });
    out.set(e.id, e);
  }
  return out;
}

function definedArm(a: { prompt?: string | undefined; model?: string | undefined }): { prompt?: string; model?: string } {
  return { ...(a.prompt === undefined ? {} : { prompt: a.prompt }), ...(a.model === undefined ? {} : { model: a.model }) };
}

function describeId(input: unknown): string {
  const id = input !== null && typeof input === 'object' ? (input as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? `'${id}'` : '(no id)';
}
