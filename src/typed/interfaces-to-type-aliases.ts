/**
 * Rewrites json-schema-to-typescript's `export interface X { ... }` declarations as `export type X = { ... };`.
 *
 * Why: `ToolMap` is `Record<string, { args: Record<string, unknown>; ... }>`, and TypeScript gives object
 * *type aliases* an implicit index signature but not interfaces, so an interface `EchoArgs` is not
 * assignable to `Record<string, unknown>` and `MCPClient<Tools>` would not compile
 * (https://github.com/microsoft/TypeScript/issues/15300). Type aliases also cannot merge, so a name clash
 * fails loudly instead of silently combining two tools' shapes.
 *
 * The input is prettier-formatted (json-schema-to-typescript runs prettier), so each declaration starts at
 * column 0 and its body closes with the first `}` at column 0.
 */

/**
 * @example
 * ```ts
 * interfacesToTypeAliases('export interface A {\n  x: string;\n}\n'); // 'export type A = {\n  x: string;\n};\n'
 * interfacesToTypeAliases('export interface Empty {}\n');             // 'export type Empty = Record<string, never>;\n'
 * interfacesToTypeAliases('export interface Empty {}\n', 'NoArguments'); // 'export type Empty = NoArguments;\n'
 * ```
 */
export function interfacesToTypeAliases(source: string, emptyObjectType = 'Record<string, never>'): string {
  const output: string[] = [];
  let insideInterface = false;
  for (const line of source.split('\n')) {
    const opening = /^export interface (\w+)(?: extends ([^{]+))? \{(\})?$/.exec(line);
    if (opening !== null) {
      const [, name, heritage, closedAtOnce] = opening;
      const bases = heritage === undefined ? '' : `${heritage.split(',').map((base) => base.trim()).join(' & ')} & `;
      if (closedAtOnce === undefined) {
        output.push(`export type ${name} = ${bases}{`);
        insideInterface = true;
      } else {
        // An empty object schema without additional properties admits exactly `{}`; `{}` as a TypeScript type
        // would admit any non-nullish value, `Record<string, never>` (or the caller's type) only the empty object.
        output.push(bases === '' ? `export type ${name} = ${emptyObjectType};` : `export type ${name} = ${bases.slice(0, -3)};`);
      }
      continue;
    }
    if (insideInterface && line === '}') {
      output.push('};');
      insideInterface = false;
      continue;
    }
    output.push(line);
  }
  return output.join('\n');
}
