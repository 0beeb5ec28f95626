import { browserProject } from "../../vitest.browser-project.js";

// Browser tests of @losscape/io (see vitest.browser-project.ts at the repository root).
export default browserProject("io-browser");
