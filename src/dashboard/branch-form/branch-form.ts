export { BRANCH_SUGGESTIONS, BranchFormElement, type BranchHandler, type BranchRequest } from './branch-form.component.js';
