/**
 * The documentation a drill's people need, served as HTML at /docs/<name>: the after-action report
 * links to /docs/scoring, and a repository path means nothing to someone in a browser. The pages are
 * static, rendered once from docs/<name>.md, and carry a CSP that allows nothing but their own style.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Express } from 'express';
import { renderMarkdown } from './markdown.ts';
import { docsSecurity } from './security.ts';

/** The served guides: route name → title. Only these files are ever read. */
const DOCS: Record<string, string> = { scoring: 'Scoring and the after-action report', scenarios: 'Writing scenarios', protocol: 'The protocol', integrations: 'Drills on your own tools' };
const DOCS_DIR = new URL('../../docs/', import.meta.url);

const CSS = `
body { margin: 0; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d232b; background: #fff; }
nav { padding: 10px 24px; border-bottom: 1px solid #d9dee4; background: #f5f7f9; font-size: 14px; }
nav a { margin-right: 16px; }
main { max-width: 960px; margin: 0 auto; padding: 8px 24px 48px; }
h1 { font-size: 28px; } h2 { font-size: 21px; margin-top: 32px; border-bottom: 1px solid #d9dee4; padding-bottom: 4px; } h3 { font-size: 17px; }
a { color: #2457a6; }
code { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f0f2f5; padding: 0 3px; border-radius: 3px; }
pre { background: #f5f7f9; border: 1px solid #d9dee4; border-radius: 4px; padding: 10px 12px; overflow-x: auto; }
pre code { background: none; padding: 0; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 14px; display: block; overflow-x: auto; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border: 1px solid #d9dee4; }
th { background: #f5f7f9; }
blockquote { margin: 0; padding: 0 12px; border-left: 3px solid #d9dee4; color: #5d6875; }
`.trim();

/** The one inline style, allowed by its hash: the page may run and load nothing else. */
const STYLE_HASH = `'sha256-${createHash('sha256').update(CSS).digest('base64')}'`;

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ESC[c] ?? c);

function page(title: string, body: string): string {
  const nav = Object.entries(DOCS).map(([name, t]) => `<a href="/docs/${name}">${esc(t)}</a>`).join('');
  return `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>${esc(title)} — sevdrill</title>\n<style>${CSS}</style>\n</head>\n<body>\n<nav><a href="/">sevdrill</a>${nav}</nav>\n<main>\n${body}\n</main>\n</body>\n</html>\n`;
}

/** A relative link between the docs (`scoring.md`, `./scenarios.md`) goes to its route; others are not served. */
const docRoute = (file: string): string | null => {
  const name = /^(?:\.\/)?([\w-]+)\.md$/.exec(file)?.[1];
  return name !== undefined && Object.hasOwn(DOCS, name) ? `/docs/${name}` : null;
};

const rendered = new Map<string, string>();

/** The page for a served doc, rendered on first request (the files do not change while the server runs). */
function docPage(name: string): string | null {
  if (!Object.hasOwn(DOCS, name)) return null;
  let html = rendered.get(name);
  if (html === undefined) {
    html = page(DOCS[name] as string, renderMarkdown(readFileSync(new URL(`${name}.md`, DOCS_DIR), 'utf8'), { docRoute }));
    rendered.set(name, html);
  }
  return html;
}

export function serveDocs(app: Express): void {
  app.get('/docs/:name', docsSecurity(STYLE_HASH), (req, res) => {
    const html = docPage(String(req.params.name));
    if (html === null) {
      res.status(404).type('html').send(page('Not found', `<h1>No such page</h1>\n<p>The guides are: ${Object.entries(DOCS).map(([n, t]) => `<a href="/docs/${n}">${esc(t)}</a>`).join(', ')}.</p>`));
      return;
    }
    res.type('html').send(html);
  });
}
