export { AppElement } from './app.component.js';
