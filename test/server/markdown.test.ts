/** The docs' small Markdown renderer (engine/server/markdown.ts): the subset the docs use, and nothing unescaped. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../engine/server/markdown.ts';
import { ROOT } from '../helpers.ts';

const md = (source: string) => renderMarkdown(source, { docRoute: (file) => (file === 'scoring.md' ? '/docs/scoring' : null) });

describe('the docs Markdown renderer', () => {
  it('headings get GitHub anchors; paragraphs, code spans, bold and italics', () => {
    expect(md('## Verification: was it checked?\n\nA **bold** `co*de*` and *it* _too_.\nNext line.')).toBe(
      '<h2 id="verification-was-it-checked">Verification: was it checked?</h2>\n<p>A <strong>bold</strong> <code>co*de*</code> and <em>it</em> <em>too</em>.\nNext line.</p>',
    );
    expect(md('# A\n# A')).toBe('<h1 id="a">A</h1>\n<h1 id="a-1">A</h1>');
  });

  it('fenced code is literal and escaped', () => {
    expect(md('```sh\nnpx a <b> && **c**\n```')).toBe('<pre><code>npx a &lt;b&gt; &amp;&amp; **c**</code></pre>');
  });

  it('tables, with escaped pipes and inline markup in cells', () => {
    expect(md('| a | b |\n|---|:-:|\n| `x` | p\\|q |\n| **y** |')).toBe(
      '<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td><code>x</code></td><td>p|q</td></tr><tr><td><strong>y</strong></td><td></td></tr></tbody></table>',
    );
  });

  it('lists: continuation lines, nesting by indentation, ordered lists, loose items', () => {
    expect(md('- one\n  more\n  - inner\n- two\n\n1. first\n2. second')).toBe('<ul><li>one\nmore\n<ul><li>inner</li></ul></li><li>two</li></ul>\n<ol><li>first</li><li>second</li></ol>');
    expect(md('- a\n\n- b\n\nafter')).toBe('<ul><li>a</li><li>b</li></ul>\n<p>after</p>');
  });

  it('escapes raw HTML and keeps only safe links: anchors, http(s), and served docs', () => {
    const html = md('<script>alert(1)</script> [x](javascript:alert(1)) [y](#top) [z](https://example.com/a?b=1&c=2) [s](scoring.md#the-score) [r](../README.md) <img src=x onerror=alert(1)>');
    expect(html).not.toMatch(/<script|<img|javascript:/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<a href="#top">y</a>');
    expect(html).toContain('<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer">z</a>');
    expect(html).toContain('<a href="/docs/scoring#the-score">s</a>');
    expect(html).toContain(' r ');
    expect(md('[`code` label](scoring.md)')).toBe('<p><a href="/docs/scoring"><code>code</code> label</a></p>');
  });

  it('renders the shipped docs with no Markdown left over outside code', () => {
    for (const file of ['scoring', 'scenarios', 'protocol']) {
      const html = md(readFileSync(`${ROOT}docs/${file}.md`, 'utf8'))
        .replace(/<pre><code>[\s\S]*?<\/code><\/pre>/g, '')
        .replace(/<code>[\s\S]*?<\/code>/g, 'C');
      expect(html, file).not.toMatch(/\*\*|\]\(|`|^\s*[-*] |^\|/m);
      expect(html.match(/<ul>/g)?.length, file).toBe(html.match(/<\/ul>/g)?.length);
    }
  });
});
