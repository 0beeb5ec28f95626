// Writes packages/io/test/fixtures/onnx/losscape-export-<name>-{f64,f32}.onnx with the built writeOnnx, from the
// models losscape-export-<name>.model.json. make-onnx-fixtures.py runs it and checks the files (onnx.checker and a
// numpy evaluation against the model's forward pass); onnx.test.ts asserts that writeOnnx still writes these bytes.
//
// Run from the repository root after `npm run build` (make-onnx-fixtures.py runs it for you):
//   node packages/io/test/gen/write-onnx-export.mjs
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseModel } from "../../../mlp/dist/index.js";
import { writeOnnx } from "../../dist/index.js";

const dir = fileURLToPath(new URL("../fixtures/onnx/", import.meta.url));
for (const file of readdirSync(dir).filter((f) => /^losscape-export-.*\.model\.json$/.test(f)).sort()) {
  const name = file.replace(/\.model\.json$/, "");
  const model = parseModel(readFileSync(dir + file, "utf8"));
  for (const [suffix, dtype] of [["f64", "float64"], ["f32", "float32"]]) {
    writeFileSync(`${dir}${name}-${suffix}.onnx`, writeOnnx(model, { dtype }));
    console.log(`wrote ${name}-${suffix}.onnx`);
  }
}
