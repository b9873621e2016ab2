export { RunListElement } from './run-list.component.js';
