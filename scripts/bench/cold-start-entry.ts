/**
 * @module scripts/bench/cold-start-entry
 * What a Node process imports to serve the app, as one module: the cold-start bench bundles it
 * (or loads it through tsx) and times the import.
 */
export { createApp, createRuntime } from '../../src/app';
export { loadConfig } from '../../src/config';
export { silentLogger } from '../../src/log';
