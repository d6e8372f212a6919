export { recallAtK, precisionAtK, reciprocalRank, ndcgAtK, rankedDocuments, mean } from './metrics.js';
export { parseEvalDataset, readEvalDataset, documentMatches, type EvalItem } from './dataset.js';
export { judgeAnswer, canJudge, type AnswerJudgement } from './judge.js';
export { runEvaluation, DEFAULT_EVAL_K, NDCG_CUTOFF, type EvalRunOptions, type EvalReport, type StrategyScores, type QuestionScore } from './runner.js';
export { formatEvalReport } from './report.js';
