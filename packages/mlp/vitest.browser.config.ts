import { browserProject } from "../../vitest.browser-project.js";

// Browser tests of @losscape/mlp (see vitest.browser-project.ts at the repository root).
export default browserProject("mlp-browser");
