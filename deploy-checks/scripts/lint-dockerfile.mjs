// Lints a Dockerfile with dockerfile-utils (the library behind `dockerfile-utils lint`), with
// every optional rule raised to an error and warnings counted as failures.
//
//   node scripts/lint-dockerfile.mjs PATH/Dockerfile
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { validate, ValidationSeverity } = require("dockerfile-utils");

const path = process.argv[2];
if (!path) {
  console.error("usage: lint-dockerfile.mjs DOCKERFILE");
  process.exit(2);
}
const content = readFileSync(path, "utf8");
const E = ValidationSeverity.ERROR;
const diagnostics = validate(content, {
  deprecatedMaintainer: E,
  directiveCasing: E,
  emptyContinuationLine: E,
  instructionCasing: E,
  instructionCmdMultiple: E,
  instructionEntrypointMultiple: E,
  instructionHealthcheckMultiple: E,
  instructionJSONInSingleQuotes: E,
  instructionWorkdirRelative: E,
});
const lines = content.split(/\r?\n/);
for (const d of diagnostics) {
  const line = d.range.start.line;
  const kind = d.severity === 1 ? "error" : "warning";
  console.error(`${path}:${line + 1}:${d.range.start.character + 1}: ${kind}: ${d.message}`);
  console.error(`    ${lines[line] ?? ""}`);
}
if (diagnostics.length > 0) {
  console.error(`${diagnostics.length} problem(s) in ${path}`);
  process.exit(1);
}
console.log(`${path}: no problems (dockerfile-utils, strict)`);
