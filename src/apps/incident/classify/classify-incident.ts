/**
 * Classifies and summarises an incident with structured output (generateObject); with no model,
 * or when the model fails, the rule-based classification — labelled as such, with the reason.
 */
import type { LanguageModel } from '../../../models/language-model.js';
import { generateObject } from '../../../structured/index.js';
import { OFFLINE_PROVIDER } from '../../../models/providers/offline/index.js';
import { classifyByRules, RULES_NOTE, type AlertFacts } from './rule-classifier.js';
import { incidentClassificationSchema, type IncidentSummary } from './incident-summary.js';

const SYSTEM = [
  'You are an incident handling agent. Classify and summarise the incident described by the alerts below.',
  'Return JSON only. severity: the worst real impact (critical, high, warning, low, info). services: affected services.',
  'category: the most probable category. title: one line. symptoms: short bullets with scope (hosts, regions).',
  'suspected_cause and recommended_action: null unless the alerts themselves point to them.',
].join(' ');

export interface ClassifyOptions {
  model?: LanguageModel;
  signal?: AbortSignal;
}

function describe(alerts: readonly AlertFacts[]): string {
  return alerts
    .slice(0, 50)
    .map((a, i) => `${i + 1}. [${a.status}] ${a.name} severity=${a.severity} labels=${JSON.stringify(a.labels)} annotations=${JSON.stringify(a.annotations)}`)
    .join('\n');
}

export async function classifyIncident(alerts: readonly AlertFacts[], options: ClassifyOptions = {}): Promise<IncidentSummary> {
  const model = options.model;
  if (model === undefined || model.provider === OFFLINE_PROVIDER) return classifyByRules(alerts);
  try {
    const { object } = await generateObject({
      model,
      schema: incidentClassificationSchema,
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: `Alerts (${alerts.length}):\n${describe(alerts)}` },
      ],
      maxAttempts: 2,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    return { ...object, method: 'model', model: model.modelId };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return classifyByRules(alerts, `${RULES_NOTE} The model '${model.modelId}' failed: ${why.slice(0, 300)}`);
  }
}
