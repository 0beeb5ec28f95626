/** Debian's Chromium (apt-get install chromium; playwright cannot download browsers here). */
export declare const CHROMIUM_PATH: string;
/** Chromium flags for headless runs here: no sandbox as root, and no background traffic to the closed network. */
export declare const CHROMIUM_ARGS: string[];
