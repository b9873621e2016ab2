export { LineageTreeElement } from './lineage-tree.component.js';
