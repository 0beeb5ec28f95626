import { browserProject } from "../../vitest.browser-project.js";

// Browser tests of @losscape/core (see vitest.browser-project.ts at the repository root), and the relaxed-SIMD
// build's tests, which run wherever that build does (Chromium validates it).
export default browserProject("core-browser", ["src/relaxed-build.test.ts"]);
