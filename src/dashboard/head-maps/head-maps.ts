export { HeadMapsElement } from './head-maps.component.js';
