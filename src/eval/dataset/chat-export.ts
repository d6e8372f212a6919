/**
 * Converts samples to the chat fine-tuning format (OpenAI's JSONL: one `{"messages": [...]}` per
 * line, ending with the assistant turn to learn). Classification reads as "Classify this text: …"
 * → label, as in the guide's preprocessor.
 */
import { ConduitError } from '../../core/errors.js';
import { chatMessages, chatProblem, missingFields, type ChatMessage, type DatasetRecord, type TaskType } from './task-types.js';

export interface ChatExample {
  messages: ChatMessage[];
}

export interface ChatExportOptions {
  /** A system message put first in every example (chat samples that have their own keep theirs). */
  system?: string;
  /** Classification instruction before the text; default "Classify this text:". */
  classificationInstruction?: string;
}

export function toChatExample(record: DatasetRecord, task: TaskType, options: ChatExportOptions = {}): ChatExample {
  const absent = missingFields(record, task);
  if (absent.length > 0) throw new ConduitError('invalid_request', `A ${task} sample lacks ${absent.join(', ')}`, { code: 'invalid_sample' });
  const system: ChatMessage[] = options.system === undefined ? [] : [{ role: 'system', content: options.system }];
  const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
  switch (task) {
    case 'chat': {
      const problem = chatProblem(record.messages);
      if (problem !== undefined) throw new ConduitError('invalid_request', `A chat sample is malformed: ${problem}`, { code: 'invalid_sample' });
      const messages = chatMessages(record.messages);
      return { messages: messages[0]?.role === 'system' ? messages : [...system, ...messages] };
    }
    case 'classification':
      return { messages: [...system, { role: 'user', content: `${options.classificationInstruction ?? 'Classify this text:'} ${text(record.text)}` }, { role: 'assistant', content: text(record.label) }] };
    case 'completion':
      return { messages: [...system, { role: 'user', content: text(record.prompt) }, { role: 'assistant', content: text(record.completion) }] };
    case 'qa': {
      const question = typeof record.context === 'string' && record.context.trim() !== '' ? `Context:\n${record.context}\n\nQuestion: ${text(record.question)}` : text(record.question);
      return { messages: [...system, { role: 'user', content: question }, { role: 'assistant', content: text(record.answer) }] };
    }
  }
}
