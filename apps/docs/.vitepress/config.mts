import { defineConfig } from "vitepress";

// The docs site. Package pages include each package's README (one source of truth for formulas and API);
// examples run live in the page through the <RunExample> component, against the built packages.
export default defineConfig({
  title: "losscape",
  description: "Exact, fast geometry of neural-network loss landscapes in JavaScript (WASM SIMD, float64)",
  cleanUrls: true,
  markdown: { math: true },
  // packages/core/README.md links to ../../benchmarks/RESULTS.md (right on GitHub and npm). Included into
  // packages/core.md, the link leaves the docs folder, which VitePress reports as dead — but the browser resolves
  // it from /packages/core to /benchmarks/RESULTS, a page of this site (benchmarks/RESULTS.md includes the file).
  ignoreDeadLinks: [(url) => /^(\.\/)?\.\.\/\.\.\/benchmarks\/RESULTS(\.md)?$/.test(url)],
  themeConfig: {
    nav: [
      { text: "Guide", link: "/guide/getting-started" },
      { text: "Live examples", link: "/guide/examples" },
      { text: "Packages", link: "/packages/core" },
      { text: "Command line", link: "/packages/cli" },
    ],
    sidebar: [
      {
        text: "Guide",
        items: [
          { text: "Getting started", link: "/guide/getting-started" },
          { text: "Conventions", link: "/guide/conventions" },
          { text: "Benchmarks", link: "/benchmarks/RESULTS" },
        ],
      },
      {
        text: "Live examples",
        items: [
          { text: "Core: linear algebra", link: "/guide/examples" },
          { text: "Networks and Hessians", link: "/guide/examples-mlp" },
          { text: "Embeddings", link: "/guide/examples-embedding" },
          { text: "Spectra", link: "/guide/examples-spectra" },
          { text: "Minima manifolds", link: "/guide/examples-manifold" },
          { text: "α(ε, φ) heat map", link: "/guide/heatmap" },
        ],
      },
      {
        text: "Packages",
        items: [
          { text: "@losscape/core", link: "/packages/core" },
          { text: "@losscape/mlp", link: "/packages/mlp" },
          { text: "@losscape/embedding", link: "/packages/embedding" },
          { text: "@losscape/spectra", link: "/packages/spectra" },
          { text: "@losscape/manifold", link: "/packages/manifold" },
          { text: "@losscape/cli", link: "/packages/cli" },
        ],
      },
    ],
  },
  vite: {
    build: { target: "es2022" },
    esbuild: { target: "es2022" },
    optimizeDeps: {
      esbuildOptions: { target: "es2022" },
      // These packages load their .wasm through new URL(…, import.meta.url): leave them unbundled in dev.
      exclude: ["@losscape/core", "@losscape/mlp", "@losscape/embedding", "@losscape/spectra", "@losscape/manifold"],
    },
    ssr: { noExternal: [] },
  },
});
