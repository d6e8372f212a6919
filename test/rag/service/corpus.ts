/**
 * A small corpus with known answers for the service, HTTP and CLI tests: five short documents on
 * unrelated topics, each holding one fact a question asks for. Retrieval that returned the wrong
 * document, or an answer that quoted the wrong sentence, fails the tests.
 */
import type { RagDocument } from '../../../src/rag/types.js';

export const CORPUS: readonly RagDocument[] = [
  {
    id: 'cats.md',
    text: '# Cat care\n\nAdult cats sleep between twelve and sixteen hours a day. Kittens need even more rest.\n\nFeed a cat twice a day and keep fresh water available. Brushing a long-haired cat weekly prevents hairballs.',
    metadata: { topic: 'pets', year: 2021 },
  },
  {
    id: 'volcanoes.md',
    text: '# Volcanoes\n\nMagma that reaches the surface is called lava. Mauna Loa in Hawaii is the largest active volcano on Earth by volume.\n\nVolcanic ash can ground aircraft for days because it damages jet engines.',
    metadata: { topic: 'geology', year: 2019 },
  },
  {
    id: 'sourdough.md',
    text: '# Sourdough bread\n\nA sourdough starter is a culture of wild yeast and lactic acid bacteria. Feed the starter with equal weights of flour and water every day.\n\nBake the loaf in a preheated Dutch oven at 250 degrees Celsius for the first twenty minutes with the lid on.',
    metadata: { topic: 'cooking', year: 2022 },
  },
  {
    id: 'bicycles.md',
    text: '# Bicycle maintenance\n\nClean and lubricate the chain every few hundred kilometres to stop it from rusting. Check tyre pressure before every ride.\n\nA squeaking disc brake usually means the pads are contaminated with oil.',
    metadata: { topic: 'transport', year: 2020 },
  },
  {
    id: 'tides.md',
    text: '# Tides\n\nTides are caused mainly by the gravitational pull of the Moon on the oceans. Spring tides happen at new and full moon, when the Sun and Moon line up.\n\nMost coasts see two high tides and two low tides every lunar day.',
    metadata: { topic: 'geology', year: 2023 },
  },
];

/** Questions phrased unlike the text, each with the document that answers it and words its answer must quote. */
export const QUESTIONS = [
  { question: 'How many hours per day does an adult cat spend sleeping?', documentId: 'cats.md', answerIncludes: /twelve and sixteen hours/ },
  { question: 'What causes the ocean tides?', documentId: 'tides.md', answerIncludes: /gravitational pull of the Moon/ },
  { question: 'How often should I feed my sourdough starter?', documentId: 'sourdough.md', answerIncludes: /every day/ },
  { question: 'Why does my disc brake squeak?', documentId: 'bicycles.md', answerIncludes: /contaminated with oil/ },
] as const;
