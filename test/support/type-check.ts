import path from 'node:path';
import ts from 'typescript';

/**
 * Type-checks in-memory files that pose as files in `directory`, so relative imports resolve as usual, and
 * returns the diagnostics' messages (flattened, chains joined by newlines).
 *
 * @example
 * ```ts
 * expect(typeCheck(import.meta.dirname, { 'virtual-usage.ts': 'const x: number = "a";' })).toHaveLength(1);
 * ```
 */
export function typeCheck(directory: string, files: Record<string, string>, extra: ts.CompilerOptions = {}): string[] {
  const virtual = new Map(Object.entries(files).map(([name, text]) => [path.join(directory, name), text]));
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
    noUnusedLocals: false,
    ...extra,
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (name) => virtual.has(name) || ts.sys.fileExists(name);
  host.readFile = (name) => virtual.get(name) ?? readFile(name);
  host.getSourceFile = (name, language) => {
    const text = virtual.get(name);
    return text === undefined ? getSourceFile(name, language) : ts.createSourceFile(name, text, language);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}
