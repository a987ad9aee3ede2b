export * from './tree';
export { createErrorFromFailure, createTimeoutError, createVersionRefusedError, type WireFailure } from './factory';
export { describeConnectionFailure, describeFailure, summarizeBody } from './describe-failure';
export { describeTarget, redactUrl } from './redact-url';
