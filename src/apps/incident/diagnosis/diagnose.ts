/**
 * Diagnosis of a new incident. The evidence pass always runs (no model needed): recent changes to
 * the affected services, error lines in their logs, similar past incidents. With a model, an agent
 * then investigates with the same tools and writes its conclusion.
 */
import { runAgent } from '../../../agents/loop/run-agent.js';
import type { LanguageModel } from '../../../models/language-model.js';
import { OFFLINE_PROVIDER } from '../../../models/providers/offline/index.js';
import type { IncidentSummary } from '../classify/incident-summary.js';
import { createDiagnosisTools, type DiagnosisSources } from './diagnosis-tools.js';
import { recallSimilar, type SimilarIncident } from './incident-memory.js';

export const DIAGNOSIS_SYSTEM_PROMPT = [
  'You are an incident handling agent.',
  '1. Summarize alerts. 2. Search logs for root cause. 3. Create a detailed summary. 4. Recommend remediation (you cannot run it; a runbook and a human do).',
  'Use the tools: check recent changes and logs of the affected services, query metrics to confirm scope, and look at similar past incidents.',
  'Answer with an "Incident Summary": symptoms with scope, suspected cause with its timestamp, recommended action. Say plainly what you could not verify.',
].join('\n');

export interface Finding {
  source: 'changes' | 'logs' | 'similar_incidents' | 'agent' | 'error';
  text: string;
  data?: unknown;
}

export interface DiagnoseInput {
  incidentId: string;
  summary: IncidentSummary;
  description: string;
  alertNames: string[];
}

export interface DiagnoseOptions extends DiagnosisSources {
  model?: LanguageModel;
  maxSteps?: number;
  /** How far back changes are considered (default 6 h). */
  changesLookbackMs?: number;
  signal?: AbortSignal;
}

export async function diagnose(input: DiagnoseInput, options: DiagnoseOptions): Promise<{ findings: Finding[]; similar: SimilarIncident[] }> {
  const now = (options.clock ?? (() => new Date()))();
  const findings: Finding[] = [];
  const services = input.summary.services;
  const changes = await options.signals.recentChanges(services, new Date(now.getTime() - (options.changesLookbackMs ?? 6 * 3_600_000)).toISOString(), 10);
  if (changes.length > 0) {
    findings.push({ source: 'changes', text: `${changes.length} recent change(s): ${changes.map((c) => `${c.kind} of ${c.service} at ${c.at} (${c.description})`).join('; ')}`, data: changes });
  }
  for (const search of options.logs) {
    for (const service of services.length === 0 ? [undefined] : services.slice(0, 3)) {
      try {
        const lines = await search.search({ text: 'error', ...(service === undefined ? {} : { service }), since: new Date(now.getTime() - 3_600_000), until: now, limit: 10 });
        if (lines.length > 0) findings.push({ source: 'logs', text: `${lines.length} error line(s) in ${search.backend}${service === undefined ? '' : ` for ${service}`}; latest: ${lines[0]?.message.slice(0, 200) ?? ''}`, data: lines });
      } catch (err) {
        findings.push({ source: 'error', text: `log search on ${search.backend} failed: ${err instanceof Error ? err.message : String(err)}` });
      }
    }
  }
  const similar = options.memory === undefined ? [] : await recallSimilar(options.memory, input.description, { excludeIncidentId: input.incidentId });
  if (similar.length > 0) findings.push({ source: 'similar_incidents', text: similar.map((s) => `${s.key} "${s.title}" (similarity ${s.similarity}) was resolved by: ${s.resolution}`).join('; '), data: similar });

  const model = options.model;
  if (model !== undefined && model.provider !== OFFLINE_PROVIDER) {
    try {
      const result = await runAgent({
        model,
        agent: 'incident-diagnosis',
        system: DIAGNOSIS_SYSTEM_PROMPT,
        tools: createDiagnosisTools(options),
        input: `Incident ${input.incidentId}: ${input.summary.title}\nSeverity: ${input.summary.severity}; services: ${services.join(', ') || 'unknown'}; alerts: ${input.alertNames.join(', ')}\nSymptoms:\n${input.summary.symptoms.map((s) => `- ${s}`).join('\n')}\nEvidence already gathered:\n${findings.map((f) => `- ${f.text}`).join('\n') || '- none'}`,
        limits: { maxSteps: options.maxSteps ?? 6 },
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      if (result.text.trim() !== '') findings.push({ source: 'agent', text: result.text.trim(), data: { runId: result.runId, status: result.status, toolsUsed: result.toolsUsed, steps: result.steps } });
    } catch (err) {
      findings.push({ source: 'error', text: `diagnosis agent failed: ${err instanceof Error ? err.message : String(err)}` });
    }
  }
  return { findings, similar };
}
