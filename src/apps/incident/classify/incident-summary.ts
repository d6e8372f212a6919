/** The classification and summary of an incident, from a model or from rules (and it says which). */
import { z } from 'zod';

export const INCIDENT_CATEGORIES = ['resource_saturation', 'availability', 'application_errors', 'latency', 'capacity', 'security', 'deployment', 'data', 'other'] as const;
export type IncidentCategory = (typeof INCIDENT_CATEGORIES)[number];

/** What the model must return (structured output); `method` and `note` are added by Conduit. */
export const incidentClassificationSchema = z.object({
  severity: z.enum(['critical', 'high', 'warning', 'low', 'info']),
  services: z.array(z.string()),
  category: z.enum(INCIDENT_CATEGORIES),
  title: z.string().min(1).max(200),
  symptoms: z.array(z.string()).max(10),
  suspected_cause: z.string().nullable(),
  recommended_action: z.string().nullable(),
});

export type IncidentClassification = z.output<typeof incidentClassificationSchema>;

export interface IncidentSummary extends IncidentClassification {
  /** `model`: structured output from a model; `rules`: the rule-based fallback (no model configured or the model failed). */
  method: 'model' | 'rules';
  model?: string;
  /** Why the rule-based fallback was used, or other caveats. */
  note?: string;
}
