/**
 * Typed tools: the `ToolMap` types, runtime output validation, "did you mean" suggestions and the
 * JSON Schema -> TypeScript generator behind `archon-mcp types`. Importing this module loads neither ajv nor
 * json-schema-to-typescript; each is imported on first use.
 */
export type { AnyToolMap, ToolArgs, ToolMap, ToolName, ToolResult, ToolSignature, TypedCallToolResult } from './tool-map';
export {
  createOutputValidator,
  type JsonSchemaObject,
  type OutputValidator,
  type OutputValidatorOptions,
} from './validate-output';
export { suggestToolNames } from './suggest';
export { checkToolOutput, createUnknownToolError } from './tool-errors';
export { generateToolTypes, type GenerateToolTypesOptions } from './generate-tool-types';
