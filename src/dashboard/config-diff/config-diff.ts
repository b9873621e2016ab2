export { ConfigDiffElement } from './config-diff.component.js';
