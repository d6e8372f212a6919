/**
 * Should this task be fine-tuned? The guide's decision score (FineTuningDecision, 3.5.1):
 *   data ≥ 1000 → +2, ≥ 100 → +1, else −2
 *   domain specificity > 0.8 → +3, > 0.5 → +1, else −1
 *   performance gap > 0.3 → +2, > 0.1 → +1, else −1
 *   timeline < 2 weeks → −2, < 4 weeks → −1
 * score ≥ 3 STRONGLY_RECOMMEND, ≥ 1 RECOMMEND, ≥ −1 CONSIDER_ALTERNATIVES, else NOT_RECOMMENDED;
 * with the guide's cost model (data preparation max($0.01·n, $50), training $100 + $200 / $1000 /
 * $5000 by model size, evaluation $100).
 */
import { ConduitError } from '../../core/errors.js';

export interface FineTuningInputs {
  /** Labelled examples available. */
  dataSize: number;
  /** 0 (general knowledge) … 1 (narrow, specialised domain). */
  domainSpecificity: number;
  /** How far the best prompt-only approach is from the target, 0 … 1 (e.g. 0.25 = 25 points of accuracy). */
  performanceGap: number;
  /** Weeks until it must be in production. */
  timelineWeeks: number;
  modelSize?: ModelSize;
}

export type ModelSize = 'small' | 'medium' | 'large';
export type FineTuningRecommendation = 'STRONGLY_RECOMMEND' | 'RECOMMEND' | 'CONSIDER_ALTERNATIVES' | 'NOT_RECOMMENDED';

export interface FineTuningAdvice {
  score: number;
  recommendation: FineTuningRecommendation;
  /** Each factor's contribution, with why. */
  factors: { factor: 'data_size' | 'domain_specificity' | 'performance_gap' | 'timeline'; points: number; reason: string }[];
  /** For the two lower recommendations: what to try first. */
  alternatives: string[];
  costUsd: { dataPreparation: number; training: number; evaluation: number; total: number };
  timeline: string;
}

const TRAINING_COST_BY_SIZE: Record<ModelSize, number> = { small: 200, medium: 1000, large: 5000 };

export const ALTERNATIVES = [
  'Prompt engineering (clearer instructions, output format, constraints)',
  'In-context learning (few-shot examples in the prompt)',
  'Retrieval-augmented generation for domain knowledge',
  'Chain-of-thought prompting for reasoning tasks',
  'Tool use for computation and live data',
];

export function adviseFineTuning(inputs: FineTuningInputs): FineTuningAdvice {
  const { dataSize, domainSpecificity, performanceGap, timelineWeeks } = inputs;
  const modelSize = inputs.modelSize ?? 'small';
  const bad = (message: string): never => {
    throw new ConduitError('invalid_request', message, { code: 'invalid_advice_inputs' });
  };
  if (!Number.isInteger(dataSize) || dataSize < 0) bad(`the data size must be a whole number ≥ 0, got ${dataSize}`);
  if (!(domainSpecificity >= 0 && domainSpecificity <= 1)) bad(`the domain specificity must be between 0 and 1, got ${domainSpecificity}`);
  if (!(performanceGap >= 0 && performanceGap <= 1)) bad(`the performance gap must be between 0 and 1, got ${performanceGap}`);
  if (!(timelineWeeks > 0) || !Number.isFinite(timelineWeeks)) bad(`the timeline must be a positive number of weeks, got ${timelineWeeks}`);
  if (!(modelSize in TRAINING_COST_BY_SIZE)) bad(`the model size must be small, medium or large, got ${String(modelSize)}`);

  const factors: FineTuningAdvice['factors'] = [];
  if (dataSize >= 1000) factors.push({ factor: 'data_size', points: 2, reason: `${dataSize} examples (≥ 1000)` });
  else if (dataSize >= 100) factors.push({ factor: 'data_size', points: 1, reason: `${dataSize} examples (≥ 100)` });
  else factors.push({ factor: 'data_size', points: -2, reason: `${dataSize} examples (< 100 is too few)` });
  if (domainSpecificity > 0.8) factors.push({ factor: 'domain_specificity', points: 3, reason: `specificity ${domainSpecificity} (> 0.8: a specialised domain)` });
  else if (domainSpecificity > 0.5) factors.push({ factor: 'domain_specificity', points: 1, reason: `specificity ${domainSpecificity} (> 0.5)` });
  else factors.push({ factor: 'domain_specificity', points: -1, reason: `specificity ${domainSpecificity} (≤ 0.5: general knowledge)` });
  if (performanceGap > 0.3) factors.push({ factor: 'performance_gap', points: 2, reason: `gap ${performanceGap} (> 0.3)` });
  else if (performanceGap > 0.1) factors.push({ factor: 'performance_gap', points: 1, reason: `gap ${performanceGap} (> 0.1)` });
  else factors.push({ factor: 'performance_gap', points: -1, reason: `gap ${performanceGap} (≤ 0.1: prompting is nearly there)` });
  if (timelineWeeks < 2) factors.push({ factor: 'timeline', points: -2, reason: `${timelineWeeks} weeks (< 2)` });
  else if (timelineWeeks < 4) factors.push({ factor: 'timeline', points: -1, reason: `${timelineWeeks} weeks (< 4)` });
  else factors.push({ factor: 'timeline', points: 0, reason: `${timelineWeeks} weeks (enough for a 2-4 week project)` });

  const score = factors.reduce((s, f) => s + f.points, 0);
  const recommendation: FineTuningRecommendation = score >= 3 ? 'STRONGLY_RECOMMEND' : score >= 1 ? 'RECOMMEND' : score >= -1 ? 'CONSIDER_ALTERNATIVES' : 'NOT_RECOMMENDED';
  const dataPreparation = Math.max(0.01 * dataSize, 50);
  const training = 100 + TRAINING_COST_BY_SIZE[modelSize];
  const evaluation = 100;
  return {
    score,
    recommendation,
    factors,
    alternatives: recommendation === 'CONSIDER_ALTERNATIVES' || recommendation === 'NOT_RECOMMENDED' ? [...ALTERNATIVES] : [],
    costUsd: { dataPreparation, training, evaluation, total: dataPreparation + training + evaluation },
    timeline: 'data preparation 1-2 weeks, training 2-5 days, evaluation 1 week: 2-4 weeks in all',
  };
}
