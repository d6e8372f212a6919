/**
 * System prompts built from named sections, in the production structure: ROLE, CONSTRAINTS,
 * OUTPUT FORMAT, TONE, EXAMPLES OF GOOD RESPONSES, EXAMPLES OF BAD RESPONSES (NEVER DO THIS).
 *
 * The order is fixed (SYSTEM_PROMPT_SECTION_ORDER) whatever order the caller writes the fields in,
 * so the same sections always give byte-identical text (which also keeps provider prompt caches
 * warm). Each section is a `# HEADING` line and its text; sections are separated by a blank line.
 * An empty section (undefined, blank text, or a list with no non-blank item) is left out entirely.
 * Lists render as `- item` lines; an item's further lines are indented by two spaces.
 */
import type { SystemMessage } from '../core/messages.js';

export interface SystemPromptSections {
  /** Who the model is, e.g. "You are a support triage specialist for Acme." */
  role?: string;
  constraints?: string | readonly string[];
  outputFormat?: string;
  tone?: string;
  goodExamples?: string | readonly string[];
  badExamples?: string | readonly string[];
}

export type SystemPromptSectionName = keyof SystemPromptSections;

export const SYSTEM_PROMPT_SECTION_ORDER: readonly SystemPromptSectionName[] = ['role', 'constraints', 'outputFormat', 'tone', 'goodExamples', 'badExamples'];

export const SYSTEM_PROMPT_SECTION_HEADINGS: Readonly<Record<SystemPromptSectionName, string>> = {
  role: 'ROLE',
  constraints: 'CONSTRAINTS',
  outputFormat: 'OUTPUT FORMAT',
  tone: 'TONE',
  goodExamples: 'EXAMPLES OF GOOD RESPONSES',
  badExamples: 'EXAMPLES OF BAD RESPONSES (NEVER DO THIS)',
};

export function buildSystemPrompt(sections: SystemPromptSections): string {
  const parts: string[] = [];
  for (const name of SYSTEM_PROMPT_SECTION_ORDER) {
    const text = sectionText(sections[name]);
    if (text !== '') parts.push(`# ${SYSTEM_PROMPT_SECTION_HEADINGS[name]}\n${text}`);
  }
  return parts.join('\n\n');
}

export function buildSystemMessage(sections: SystemPromptSections): SystemMessage {
  return { role: 'system', content: buildSystemPrompt(sections) };
}

/** A role prompt: the role line plus any other sections, e.g. `rolePrompt('You are a SQL reviewer.', { tone: 'Terse.' })`. */
export function rolePrompt(role: string, sections: Omit<SystemPromptSections, 'role'> = {}): string {
  return buildSystemPrompt({ ...sections, role });
}

function sectionText(value: string | readonly string[] | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.trim();
  return value
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => `- ${item.replace(/\n/g, '\n  ')}`)
    .join('\n');
}
