export { NoticesElement } from './notices.component.js';
