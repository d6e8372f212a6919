/**
 * Fake OpenAI upstream behaviour for agent tests, decided from the request alone (so it works for
 * any number of runs and across a restarted gateway): when tools are offered and no tool result is
 * in the conversation yet, call `tool` with `args`; once a tool result is there, answer with
 * `answer(result)`; without tools, answer plainly.
 */
import type { RecordedRequest, Scenario } from '../../fake-upstream/scenario.js';

interface WireMessage {
  role: string;
  content?: unknown;
}

export function toolThenAnswer(tool: string, args: Record<string, unknown>, answer: (toolResult: string) => string): (request: RecordedRequest) => Scenario {
  return (request) => {
    const body = request.body as { messages?: WireMessage[]; tools?: unknown[] };
    const messages = body.messages ?? [];
    const toolResult = [...messages].reverse().find((m) => m.role === 'tool');
    if (toolResult !== undefined) return { kind: 'reply', text: answer(String(toolResult.content)), usage: { inputTokens: 40, outputTokens: 8 } };
    if (body.tools === undefined || body.tools.length === 0) return { kind: 'reply', text: 'I cannot use tools right now.' };
    return { kind: 'reply', text: '', finishReason: 'tool_calls', toolCalls: [{ id: `call_${messages.length}`, name: tool, arguments: JSON.stringify(args) }], usage: { inputTokens: 30, outputTokens: 12 } };
  };
}
