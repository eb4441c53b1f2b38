// Parses each Mermaid file given with the mermaid package's own parser and
// prints one JSON line per file: its diagram type, vertex count and edges.
// Exits 1 if any file does not parse. Used by test_pictures.py.
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

let failed = 0;
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8');
  try {
    const parsed = await mermaid.parse(text);
    const { db } = await mermaid.mermaidAPI.getDiagramFromText(text);
    const edges = db.getEdges().map((e) => ({ from: e.start, to: e.end, label: e.text, stroke: e.stroke }));
    const vertices = Object.fromEntries([...db.getVertices().values()].map((v) => [v.id, v.text]));
    console.log(JSON.stringify({ file, type: parsed.diagramType, vertices, edges }));
  } catch (e) {
    failed += 1;
    console.error(`${file}: ${e.message}`);
  }
}
process.exit(failed ? 1 : 0);
