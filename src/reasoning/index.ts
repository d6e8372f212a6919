/** Reasoning patterns over the LanguageModel interface: CoT, self-consistency, tree-of-thought, the support cascade. */
export * from './answer-normalisation.js';
export * from './cascade.js';
export * from './cascade-stats.js';
export * from './chain-of-thought.js';
export * from './self-consistency.js';
export * from './spend.js';
export * from './tree-of-thought.js';
