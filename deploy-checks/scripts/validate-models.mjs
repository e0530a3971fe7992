// Validates rendered Kubernetes objects at run time with the kubernetes-models classes
// (their JSON schemas: formats such as resource quantities, oneOf shapes, enums), which the type
// check cannot see ("4GB" is a string to tsc, but not a quantity).
//
//   node scripts/validate-models.mjs NAME=FILE.yaml [NAME=FILE.yaml ...]
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const inputs = process.argv.slice(2);
if (inputs.length === 0) {
  console.error("usage: validate-models.mjs NAME=FILE.yaml...");
  process.exit(2);
}

let failed = 0;
let count = 0;
for (const input of inputs) {
  const eq = input.indexOf("=");
  const [name, file] = eq > 0 ? [input.slice(0, eq), input.slice(eq + 1)] : [input, input];
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"), { uniqueKeys: true })) {
    const obj = doc.toJS();
    if (!obj) continue;
    const where = `${name}: ${obj.apiVersion} ${obj.kind} ${obj.metadata?.name}`;
    let Model;
    try {
      Model = (await import(`kubernetes-models/${obj.apiVersion}/${obj.kind}`))[obj.kind];
    } catch {
      Model = undefined;
    }
    if (typeof Model !== "function") {
      console.error(`${where}: no kubernetes-models class for this apiVersion/kind`);
      failed++;
      continue;
    }
    try {
      new Model(obj).validate();
      count++;
    } catch (e) {
      console.error(`${where}: ${e.message}`);
      failed++;
    }
  }
}
if (failed > 0) {
  console.error(`${failed} object(s) failed validation`);
  process.exit(1);
}
console.log(`validated ${count} objects against the kubernetes-models schemas`);
