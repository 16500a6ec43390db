// Opens each BPMN file given on the command line with bpmn-moddle and the modeler's
// spiffworkflow descriptor — the model bpmn-js edits — and saves it unchanged, as the editor's
// "save without changes" does. Prints {file: saved XML, ...} and the import warnings as JSON.
import BpmnModdle from 'bpmn-moddle';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const descriptor = JSON.parse(readFileSync(join(root, 'app/web/static/modeler/spiffworkflow-moddle.json'), 'utf8'));
const moddle = new BpmnModdle({ spiffworkflow: descriptor });
const out = { saved: {}, warnings: {} };
for (const file of process.argv.slice(2)) {
  const { rootElement, warnings } = await moddle.fromXML(readFileSync(file, 'utf8'));
  out.saved[file] = (await moddle.toXML(rootElement, { format: true })).xml;
  out.warnings[file] = warnings.map((w) => w.message);
}
process.stdout.write(JSON.stringify(out));
