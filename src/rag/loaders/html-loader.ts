/**
 * HTML: main content only. Mozilla's Readability (the Firefox Reader View engine, maintained and
 * battle-tested on real pages) finds the article; linkedom gives it a fast server-side DOM without
 * jsdom's weight. Navigation, header, footer, aside, scripts and styles are removed first, so they
 * cannot leak in even when Readability finds no article and the cleaned body is used instead.
 *
 * The result is rendered as light Markdown (`#` headings, blank lines between blocks, `- ` list
 * items) so the structure-aware chunker sees the page's sections the same way it sees a `.md` file.
 */
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import type { RagDocument } from '../types.js';
import { decodeText, emptyDocumentError, makeDocument, normaliseNewlines, type SourceContext } from './source-context.js';

/** The slice of the DOM this loader walks (linkedom's nodes satisfy it; the project compiles without the DOM lib). */
interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
}
interface DomElement extends DomNode {
  parentElement: DomElement | null;
  closest(selector: string): DomElement | null;
  remove(): void;
}
interface DomDocument {
  title: string;
  body: DomElement | null;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
}

const TEXT_NODE = 3;
const ELEMENT_NODE = 1;

/** Never content. */
const ALWAYS_REMOVED = 'script, style, noscript, template, iframe, svg, canvas, form, button, nav, aside, [role="navigation"], [role="complementary"], [aria-hidden="true"], [hidden]';
/** Page chrome — but an article's own header/footer (byline, title) is content. */
const CHROME = 'header, footer, [role="banner"], [role="contentinfo"]';

const BLOCKS = new Set(['P', 'DIV', 'SECTION', 'ARTICLE', 'MAIN', 'BLOCKQUOTE', 'PRE', 'UL', 'OL', 'LI', 'TABLE', 'TR', 'DL', 'DT', 'DD', 'FIGURE', 'FIGCAPTION', 'HR', 'BR', 'ADDRESS', 'DETAILS', 'SUMMARY', 'HEADER', 'FOOTER']);

export function loadHtmlContent(data: Uint8Array | string, ctx: SourceContext): RagDocument[] {
  const html = typeof data === 'string' ? data : decodeText(data);
  const { title, text } = extractMainContent(html);
  if (text.trim().length === 0) throw emptyDocumentError(`'${ctx.id}' (no main content in the HTML)`);
  return [makeDocument(ctx, ctx.id, text, { format: 'markdown', title })];
}

export function extractMainContent(html: string): { title: string; text: string } {
  const document = parse(html);
  removeBoilerplate(document);
  const pageHeading = (document.querySelector('main h1, article h1') ?? document.querySelector('h1'))?.textContent?.trim() ?? '';
  const pageTitle = pageHeading || document.title.trim();

  // Readability mutates the DOM it reads, so it gets a copy; the original stays for the fallback.
  const copy = parse(html);
  removeBoilerplate(copy);
  const article = new Readability<DomNode>(copy as never, { serializer: (node) => node as unknown as DomNode }).parse();
  let root: DomNode | null | undefined = article?.content;
  if (!root || collapse(root.textContent ?? '').length === 0) {
    root = document.querySelector('main') ?? document.querySelector('article') ?? document.body;
  }
  let text = root ? renderBlocks(root) : '';
  const title = pageTitle || article?.title?.trim() || '';
  // Readability drops the H1 it takes as the title; put it back as the document's top heading.
  if (title && !/^# /m.test(text)) text = `# ${title}\n\n${text}`;
  return { title, text: normaliseNewlines(text).trim() };
}

function parse(html: string): DomDocument {
  // linkedom builds a body only for a whole page: a fragment (an upload of just `<p>…`) is wrapped in one.
  const page = /<html[\s>]|<body[\s>]/i.test(html) ? html : `<!DOCTYPE html><html><head></head><body>${html}</body></html>`;
  return parseHTML(page).document as unknown as DomDocument;
}

function removeBoilerplate(document: DomDocument): void {
  for (const el of Array.from(document.querySelectorAll(ALWAYS_REMOVED))) el.remove();
  for (const el of Array.from(document.querySelectorAll(CHROME))) {
    if (!el.parentElement?.closest('article, main')) el.remove();
  }
}

/** Renders a subtree as Markdown-like blocks separated by blank lines. */
function renderBlocks(root: DomNode): string {
  const blocks: string[] = [];
  let inline = '';
  const flush = (): void => {
    const text = collapse(inline);
    if (text) blocks.push(text);
    inline = '';
  };
  const walk = (node: DomNode, listDepth: number): void => {
    if (node.nodeType === TEXT_NODE) {
      inline += node.textContent ?? '';
      return;
    }
    if (node.nodeType !== ELEMENT_NODE) return;
    const tag = node.nodeName.toUpperCase();
    const heading = /^H([1-6])$/.exec(tag);
    if (heading) {
      flush();
      const text = collapse(node.textContent ?? '');
      if (text) blocks.push(`${'#'.repeat(Number(heading[1]))} ${text}`);
      return;
    }
    if (tag === 'PRE') {
      flush();
      const code = (node.textContent ?? '').replace(/^\n+|\s+$/g, '');
      if (code) blocks.push('```\n' + code + '\n```');
      return;
    }
    if (tag === 'LI') {
      flush();
      const before = blocks.length;
      for (const child of Array.from(node.childNodes)) walk(child, listDepth + 1);
      flush();
      // The item's first block gets the bullet; nested lists indent by depth.
      if (blocks.length > before) blocks[before] = `${'  '.repeat(listDepth)}- ${blocks[before] ?? ''}`;
      return;
    }
    if (tag === 'TR') {
      flush();
      const cells = Array.from(node.childNodes)
        .filter((c) => c.nodeType === ELEMENT_NODE)
        .map((c) => collapse(c.textContent ?? ''));
      if (cells.some((c) => c)) blocks.push(`| ${cells.join(' | ')} |`);
      return;
    }
    const isBlock = BLOCKS.has(tag);
    if (isBlock) flush();
    for (const child of Array.from(node.childNodes)) walk(child, listDepth);
    if (isBlock) flush();
    else if (tag === 'IMG') inline += ' ';
  };
  walk(root, 0);
  flush();
  // List items and table rows read better as consecutive lines than as separate paragraphs.
  return blocks.reduce((out, block, i) => {
    if (i === 0) return block;
    const tight = (/^\s*- /.test(block) && /^\s*- /.test(blocks[i - 1] ?? '')) || (block.startsWith('| ') && (blocks[i - 1] ?? '').startsWith('| '));
    return out + (tight ? '\n' : '\n\n') + block;
  }, '');
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
