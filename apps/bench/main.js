// The benchmark page: runs the suites of /benchmarks/suites in the browser with the same harness as node.
import { prepareCore, runSuite } from "/benchmarks/lib/harness.js";

const logEl = document.getElementById("log");
function log(line) {
  console.log(line);
  if (logEl) logEl.textContent += line + "\n";
}

/** Run the named suites (file names in /benchmarks/suites without .js); resolves to their results. */
window.runSuites = async (names, options = {}) => {
  const backend = await prepareCore();
  const results = [];
  for (const name of names) {
    try {
      const suite = (await import(`/benchmarks/suites/${name}.js`)).default;
      results.push(await runSuite(suite, { ...options, log }));
    } catch (e) {
      // One broken suite (e.g. an import that does not resolve in the page) must not lose the others' results.
      log(`${name}: ERROR ${e?.message ?? e}`);
      results.push({ name, title: name, error: String(e?.message ?? e), notes: [], peers: [], targets: [], cases: [] });
    }
  }
  return { backend, crossOriginIsolated: globalThis.crossOriginIsolated === true, userAgent: navigator.userAgent, results };
};
window.benchReady = true;
