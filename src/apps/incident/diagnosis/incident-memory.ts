/**
 * Past incidents and how they were resolved, in semantic memory: a resolved incident's description
 * and resolution note are remembered, and a new incident recalls the most similar ones.
 */
import type { SemanticMemory } from '../../../agents/memory/index.js';

export const INCIDENT_MEMORY_SCOPE = 'incident-resolutions';

export interface SimilarIncident {
  incidentId: string;
  key: string;
  title: string;
  resolution: string;
  similarity: number;
}

export function incidentDescription(input: { title: string; category: string | null; services: readonly string[]; alertNames: readonly string[] }): string {
  return `${input.title}. Category: ${input.category ?? 'unknown'}. Services: ${input.services.join(', ') || 'unknown'}. Alerts: ${input.alertNames.join(', ')}.`;
}

export async function rememberResolution(memory: SemanticMemory, input: { incidentId: string; key: string; title: string; description: string; resolution: string }): Promise<void> {
  await memory.remember(INCIDENT_MEMORY_SCOPE, `${input.description} Resolution: ${input.resolution}`, {
    metadata: { incidentId: input.incidentId, key: input.key, title: input.title, resolution: input.resolution },
    importance: 0.8,
  });
}

export async function recallSimilar(memory: SemanticMemory, description: string, options: { k?: number; minSimilarity?: number; excludeIncidentId?: string } = {}): Promise<SimilarIncident[]> {
  const found = await memory.recall(INCIDENT_MEMORY_SCOPE, description, { k: (options.k ?? 3) + 1, minSimilarity: options.minSimilarity ?? 0.5 });
  return found
    .map((f) => ({
      incidentId: String(f.record.metadata.incidentId ?? ''),
      key: String(f.record.metadata.key ?? ''),
      title: String(f.record.metadata.title ?? ''),
      resolution: String(f.record.metadata.resolution ?? ''),
      similarity: Math.round(f.similarity * 1000) / 1000,
    }))
    .filter((s) => s.incidentId !== options.excludeIncidentId)
    .slice(0, options.k ?? 3);
}
