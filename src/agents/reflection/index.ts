/** Reflection: generator and critic rounds until the critic's score reaches the threshold. */
export {
  reflect,
  critiqueSchema,
  CRITIC_INSTRUCTIONS,
  DEFAULT_REFLECTION_ROUNDS,
  DEFAULT_REFLECTION_THRESHOLD,
  type Critique,
  type ReflectOptions,
  type ReflectionResult,
  type ReflectionRound,
} from './reflect.js';
