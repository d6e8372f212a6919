/** A named agent: the model, instructions, allow-listed tools and limits every run of it uses. */
import type { LanguageModel, ModelRequest } from '../../models/language-model.js';
import type { RunLimits } from '../loop/run-agent.js';
import type { AgentTool } from '../tool.js';

export interface AgentDefinition {
  name: string;
  description?: string;
  model: LanguageModel;
  /** The name the model was configured under (alias or provider/model), for key model grants. */
  modelName?: string;
  system?: string;
  /** The allow-list: the only tools runs of this agent can call. */
  tools: readonly AgentTool[];
  limits?: RunLimits;
  toolTimeoutMs?: number;
  toolMode?: 'auto' | 'native' | 'text';
  /** Tool names whose calls always wait for a human decision. */
  requireApproval?: readonly string[];
  request?: Omit<ModelRequest, 'messages' | 'tools'>;
}
