export {
  definePrompt,
  type PromptTemplate,
  type PromptDefinition,
  type VariableType,
  type VariableSpec,
  type VariablesSpec,
  type InferVariables,
  type MessageRole,
} from './template.js';
export { parsePromptFile, type PromptMeta, type ChangelogEntry, type ParsedPromptFile } from './front-matter.js';
export {
  createPromptRegistry,
  loadPrompt,
  listPrompts,
  showPrompt,
  parsePromptRef,
  type PromptRegistry,
  type PromptRegistryOptions,
  type PromptRef,
  type LoadedPrompt,
  type PromptSummary,
} from './registry.js';
export { diffPrompts, diffLoadedPrompts, type PromptDiff, type FrontMatterChange } from './prompt-diff.js';
export { diffLines, unifiedDiff, type DiffOp, type UnifiedDiffOptions } from './line-diff.js';
export { parseSemver, compareSemver, isSemver, type SemVer } from './semver.js';
export {
  createFewShotSelector,
  fewShotMessages,
  fewShotText,
  DEFAULT_FEW_SHOT_K,
  type FewShotExample,
  type SelectedExample,
  type FewShotOptions,
  type FewShotSelector,
  type FewShotTextOptions,
} from './few-shot.js';
export {
  buildSystemPrompt,
  buildSystemMessage,
  rolePrompt,
  SYSTEM_PROMPT_SECTION_ORDER,
  SYSTEM_PROMPT_SECTION_HEADINGS,
  type SystemPromptSections,
  type SystemPromptSectionName,
} from './system-prompt.js';
export { runPromptsList, runPromptsShow, runPromptsDiff, formatPrompt, type PromptsCommandOptions } from './commands.js';
