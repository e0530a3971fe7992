// Turns rendered Kubernetes YAML into TypeScript: one file per object, the object as a literal
// assigned to a const typed with the kubernetes-models interface of its apiVersion/kind.
// `tsc --noEmit` then rejects misspelled fields (excess-property checks on object literals),
// wrong value types and missing required fields.
//
//   node scripts/to-typescript.mjs OUT_DIR NAME=FILE.yaml [NAME=FILE.yaml ...]
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

const [outDir, ...inputs] = process.argv.slice(2);
if (!outDir || inputs.length === 0) {
  console.error("usage: to-typescript.mjs OUT_DIR NAME=FILE.yaml...");
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

const safe = (s) => String(s).replace(/[^A-Za-z0-9_.-]/g, "_");
let count = 0;
let failed = false;
for (const input of inputs) {
  const eq = input.indexOf("=");
  const [name, file] = eq > 0 ? [input.slice(0, eq), input.slice(eq + 1)] : [input, input];
  const docs = parseAllDocuments(readFileSync(file, "utf8"), { uniqueKeys: true });
  if (!Array.isArray(docs)) {
    console.error(`${file}: not a YAML stream`);
    failed = true;
    continue;
  }
  docs.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) console.error(`${file} (document ${index + 1}): ${e.message}`);
      failed = true;
      return;
    }
    const obj = doc.toJS();
    if (obj === null || obj === undefined) return;
    const { apiVersion, kind } = obj;
    if (typeof apiVersion !== "string" || typeof kind !== "string" || !/^[A-Za-z0-9]+$/.test(kind)) {
      console.error(`${file} (document ${index + 1}): missing or odd apiVersion/kind`);
      failed = true;
      return;
    }
    const objName = obj.metadata?.name ?? `doc${index + 1}`;
    const tsFile = `${safe(name)}__${String(index).padStart(3, "0")}__${safe(kind)}__${safe(objName)}.ts`;
    // One import per file: a kind that kubernetes-models lacks is a "Cannot find module" error.
    const source =
      `// ${name}: ${apiVersion} ${kind} ${objName} (document ${index + 1} of ${file})\n` +
      `import type { I${kind} } from "kubernetes-models/${apiVersion}/${kind}";\n\n` +
      `export const object: I${kind} = ${JSON.stringify(obj, null, 2)};\n`;
    writeFileSync(join(outDir, tsFile), source);
    count++;
  });
}
if (failed) process.exit(1);
if (count === 0) {
  console.error("no Kubernetes objects found");
  process.exit(1);
}
console.log(`wrote ${count} typed objects to ${outDir}`);
