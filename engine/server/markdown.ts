/**
 * A small Markdown renderer for the server's own documentation (docs/*.md), so a browser user can
 * read what the report links to. No library for it is installed, and the docs use a small subset:
 * headings, paragraphs, lists (nested by indentation), fenced code, tables, block quotes, code spans,
 * links, bold and italics. Everything is escaped: raw HTML in the text comes out as text. Links are
 * kept only to http(s), to anchors, and to the docs the server serves (rewritten to their routes).
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/** Options: how a relative link to another Markdown file becomes a route, or null to drop the link. */
export interface MarkdownOptions {
  docRoute: (file: string) => string | null;
}

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to dashes; repeats get -1, -2… */
function slugify(text: string, taken: Map<string, number>): string {
  const base = text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
  const n = taken.get(base) ?? 0;
  taken.set(base, n + 1);
  return n === 0 ? base : `${base}-${n}`;
}

const LIST_ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const FENCE = /^\s*(```|~~~)/;
const TABLE_RULE = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

export function renderMarkdown(source: string, options: MarkdownOptions): string {
  return blocks(source.replace(/\r\n?/g, '\n').split('\n'), options, new Map(), false);
}

function blocks(lines: string[], options: MarkdownOptions, slugs: Map<string, number>, tight: boolean): string {
  const out: string[] = [];
  let i = 0;
  const inline = (s: string) => inlineHtml(s, options);
  while (i < lines.length) {
    const line = lines[i] as string;
    if (line.trim() === '') {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const code: string[] = [];
      for (i++; i < lines.length && !(lines[i] as string).trim().startsWith(fence[1] as string); i++) code.push(lines[i] as string);
      i++;
      out.push(`<pre><code>${esc(code.join('\n'))}</code></pre>`);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const level = (heading[1] as string).length;
      const text = heading[2] as string;
      out.push(`<h${level} id="${esc(slugify(text.replace(/[`*_]/g, ''), slugs))}">${inline(text)}</h${level}>`);
      i++;
      continue;
    }
    if (/^\s*(-{3,}|\*{3,})\s*$/.test(line)) {
      out.push('<hr>');
      i++;
      continue;
    }
    if (line.includes('|') && TABLE_RULE.test(lines[i + 1] ?? '')) {
      const rows: string[][] = [cells(line)];
      for (i += 2; i < lines.length && (lines[i] as string).includes('|') && (lines[i] as string).trim() !== ''; i++) rows.push(cells(lines[i] as string));
      const [head = [], ...body] = rows;
      out.push(
        `<table><thead><tr>${head.map((c) => `<th>${inline(c)}</th>`).join('')}</tr></thead><tbody>` +
          body.map((r) => `<tr>${head.map((_, k) => `<td>${inline(r[k] ?? '')}</td>`).join('')}</tr>`).join('') +
          '</tbody></table>',
      );
      continue;
    }
    if (/^\s*>/.test(line)) {
      const quoted: string[] = [];
      for (; i < lines.length && /^\s*>/.test(lines[i] as string); i++) quoted.push((lines[i] as string).replace(/^\s*>\s?/, ''));
      out.push(`<blockquote>${blocks(quoted, options, slugs, false)}</blockquote>`);
      continue;
    }
    const item = LIST_ITEM.exec(line);
    if (item) {
      const [html, next] = list(lines, i, options, slugs);
      out.push(html);
      i = next;
      continue;
    }
    const para: string[] = [];
    for (; i < lines.length; i++) {
      const l = lines[i] as string;
      if (l.trim() === '' || FENCE.test(l) || /^#{1,6}\s/.test(l) || LIST_ITEM.test(l) || /^\s*>/.test(l)) break;
      para.push(l.trim());
    }
    out.push(tight ? inline(para.join('\n')) : `<p>${inline(para.join('\n'))}</p>`);
  }
  return out.join('\n');
}

/** A list starting at `start`: each item's lines (its continuation indented under it) rendered as blocks. */
function list(lines: string[], start: number, options: MarkdownOptions, slugs: Map<string, number>): [string, number] {
  const first = LIST_ITEM.exec(lines[start] as string) as RegExpExecArray;
  const indent = (first[1] as string).length;
  const ordered = /\d/.test(first[2] as string);
  const items: string[][] = [];
  let i = start;
  for (; i < lines.length; i++) {
    const line = lines[i] as string;
    const item = LIST_ITEM.exec(line);
    const current = items[items.length - 1];
    if (item && leading(line) === indent) {
      // A marker of the other kind (a number after bullets) starts another list.
      if (/\d/.test(item[2] as string) !== ordered) break;
      items.push([item[3] as string]);
    } else if (line.trim() === '') {
      // A blank line ends the list unless the list (or the item) goes on after it.
      const next = lines[i + 1] ?? '';
      const sibling = LIST_ITEM.exec(next);
      if (leading(next) > indent) current?.push('');
      else if (!(sibling && leading(next) === indent && /\d/.test(sibling[2] as string) === ordered)) break;
    } else if (current && leading(line) > indent) current.push(line.slice(Math.min(leading(line), indent + 2)));
    // A lazy line carries on the item's paragraph; an outer item or another block ends the list.
    else if (current && !item && !startsBlock(line) && current[current.length - 1] !== '') current.push(line.trim());
    else break;
  }
  const tag = ordered ? 'ol' : 'ul';
  return [`<${tag}>${items.map((it) => `<li>${blocks(it, options, slugs, !it.includes(''))}</li>`).join('')}</${tag}>`, i];
}

const leading = (s: string) => s.length - s.trimStart().length;
const startsBlock = (s: string) => FENCE.test(s) || /^#{1,6}\s/.test(s) || /^\s*>/.test(s);

/** A table row's cells: split on pipes that are not escaped (`\|` stays a pipe). */
function cells(row: string): string[] {
  const trimmed = row.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '');
  return trimmed.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
}

/**
 * Code spans and backslash escapes are parked first (their text is literal), then the rest is escaped
 * and gets its links, bold and italics (which may hold code spans), then the parked text returns.
 */
function inlineHtml(text: string, options: MarkdownOptions): string {
  const parked: string[] = [];
  const park = (html: string) => `\uE000${parked.push(html) - 1}\uE000`;
  const held = text
    .replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, (_, _ticks: string, code: string) => park(`<code>${esc(code.trim())}</code>`))
    .replace(/\\([\\`*_[\]()#+\-.!|<>])/g, (_, c: string) => park(esc(c)));
  return esc(held)
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_, label: string, href: string) => link(label, href, options))
    .replace(/\*\*([\s\S]+?)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^\w*])\*([^*\s][^*]*?)\*(?!\w)/g, '$1<em>$2</em>')
    .replace(/(^|[^\w])_([^_\s][^_]*?)_(?!\w)/g, '$1<em>$2</em>')
    .replace(/\uE000(\d+)\uE000/g, (_, n: string) => parked[Number(n)] ?? '');
}

/** `href` arrives escaped. Anchors and http(s) stay; a relative .md link becomes its route, if served; anything else is text. */
function link(label: string, href: string, options: MarkdownOptions): string {
  const raw = href.replace(/&amp;/g, '&');
  if (/^#[\w-]*$/.test(raw)) return `<a href="${href}">${label}</a>`;
  if (/^https?:\/\//i.test(raw)) return `<a href="${href}" rel="noopener noreferrer">${label}</a>`;
  const doc = /^([\w./-]+\.md)(#[\w-]*)?$/.exec(raw);
  const route = doc ? options.docRoute(doc[1] as string) : null;
  return route === null ? label : `<a href="${esc(route + (doc?.[2] ?? ''))}">${label}</a>`;
}
