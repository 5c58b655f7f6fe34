/** Bumped when the simulation's output changes for the same inputs; a test keeps it equal to package.json. */
export const ENGINE_VERSION = '0.4.0';
/** Bumped when the log's line format changes. */
export const LOG_FORMAT_VERSION = 1;
