export * from './tree';
export { createErrorFromFailure, type WireFailure } from './factory';
