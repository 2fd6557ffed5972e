// The browser's engine on respondents' files: the WASM package's survey API in Node
// (pkg/node, the module built for speed; the browser's is built for size), 200,000 respondents
// as CSV and as 问卷星's XLSX. Prints a Markdown table; every run checked to count them all.
//
//   node bench/survey/wasm.mjs RULES.rhai FILE.csv FILE.xlsx RUNS
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

const require = createRequire(import.meta.url);
const root = resolve(new URL("../..", import.meta.url).pathname);
const { surveyApi } = await import(`${root}/pkg/kaohe.js`);
const survey = surveyApi(require(`${root}/pkg/node/kaohe_bg_glue.js`));
const [rulesPath, ...rest] = process.argv.slice(2);
const runs = Number(rest.pop());
const rules = { name: rulesPath, source: readFileSync(rulesPath, "utf8") };
console.log("| file | bytes | median ms | respondent rows/s |");
console.log("|---|---:|---:|---:|");
for (const file of rest) {
  const bytes = readFileSync(file);
  const times = [];
  let counted = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const out = await survey.assess(rules, bytes, { fileName: file });
    times.push(performance.now() - t);
    if (out.type !== "success") throw new Error(`${file}: ${JSON.stringify(out.errors).slice(0, 300)}`);
    counted = out.summary.counted;
    out.free();
  }
  times.sort((a, b) => a - b);
  const ms = times[Math.floor(times.length / 2)];
  const name = file.split("/").pop();
  console.log(`| \`${name}\` | ${bytes.length.toLocaleString("en-US")} | ${ms.toFixed(0)} | ${Math.round(counted / (ms / 1000)).toLocaleString("en-US")} |`);
}
