/**
 * README_MCP_CLIENT.md against the rest of the public surface, read from the source with the TypeScript
 * parser: error classes and codes (and the reason/kind literals), events, `MCPClient` methods and getters,
 * CLI commands, flags and defaults, `serve` flags and environment variables, metrics, reference-server tools,
 * fault-injection methods, health reports, every export of both entry points, and the page's own #links.
 * Declarations are looked up by name anywhere under src/ and server/, so moving a file does not break this.
 * Tables are compared both ways where the README lists a closed set, so a removed feature that is still
 * documented fails too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const README = readFileSync(resolve(ROOT, 'README_MCP_CLIENT.md'), 'utf8');

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(resolve(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
}

/** Every node of `source` that `guard` accepts, depth first. */
function findAll<T extends ts.Node>(source: ts.Node, guard: (node: ts.Node) => node is T): T[] {
  const found: T[] = [];
  const visit = (node: ts.Node): void => {
    if (guard(node)) found.push(node);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function textOf(name: ts.PropertyName | ts.BindingName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
}

/** Every .ts file under `directory`, parsed, so declarations are found wherever they move to. */
function parseAll(directory: string): ts.SourceFile[] {
  return readdirSync(resolve(ROOT, directory), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => parse(`${directory}/${file}`));
}

const SOURCES = [...parseAll('src'), ...parseAll('server')];

/** The one top-level declaration called `name` in a file under `under` (ambiguity is an error). */
function declared<T extends ts.Node & { name?: ts.Node }>(guard: (node: ts.Node) => node is T, name: string, under = ''): T {
  const matches = SOURCES.filter((source) => source.fileName.startsWith(under)).flatMap((source) =>
    findAll(source, guard).filter((node) => node.name !== undefined && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) && node.name.text === name),
  );
  if (matches.length !== 1) throw new Error(`expected one declaration of ${name} under ${under || 'src/ and server/'}, found ${matches.length}`);
  return matches[0] as T;
}

/** The string literals of a `type X = 'a' | 'b'` alias. */
function literalUnion(alias: string): string[] {
  const declaration = declared(ts.isTypeAliasDeclaration, alias);
  return findAll(declaration.type, ts.isLiteralTypeNode).flatMap((node) => (ts.isStringLiteral(node.literal) ? [node.literal.text] : []));
}

function interfaceMembers(name: string, under = ''): string[] {
  return declared(ts.isInterfaceDeclaration, name, under).members.flatMap((member) => (member.name === undefined ? [] : [textOf(member.name) ?? '']));
}

/** The object literal assigned to `const name` (through `as const` / `satisfies`). */
function objectLiteral(name: string): ts.ObjectLiteralExpression {
  let initializer = declared(ts.isVariableDeclaration, name).initializer;
  while (initializer !== undefined && (ts.isAsExpression(initializer) || ts.isSatisfiesExpression(initializer))) initializer = initializer.expression;
  if (initializer === undefined || !ts.isObjectLiteralExpression(initializer)) throw new Error(`const ${name} is not an object literal`);
  return initializer;
}

function objectKeys(name: string): string[] {
  return objectLiteral(name).properties.flatMap((property) => (property.name === undefined ? [] : [textOf(property.name) ?? '']));
}

/** `key -> value` of an object literal's string and number properties (`8_051` reads as `8051`). */
function objectValues(name: string): [string, string][] {
  return objectLiteral(name).properties.flatMap((property) => {
    if (!ts.isPropertyAssignment(property)) return [];
    const { initializer } = property;
    const value = ts.isStringLiteral(initializer) || ts.isNumericLiteral(initializer) ? initializer.text.replace(/_/g, '') : undefined;
    return value === undefined ? [] : [[textOf(property.name) ?? '', value]];
  });
}

/** The README text from the heading line `heading` to the next heading of the same or a higher level. */
function section(heading: string): string {
  const start = README.split('\n').indexOf(heading);
  if (start === -1) throw new Error(`README_MCP_CLIENT.md has no heading "${heading}"`);
  const level = /^#+/.exec(heading)?.[0].length ?? 6;
  const lines = README.split('\n').slice(start + 1);
  const end = lines.findIndex((line) => new RegExp(`^#{1,${level}} `).test(line));
  return lines.slice(0, end === -1 ? undefined : end).join('\n');
}

/** The code-font names in the first column of the first table after the line `anchor` (a heading or not). */
function firstColumn(anchor: string): string[] {
  const all = README.split('\n');
  const from = all.indexOf(anchor);
  if (from === -1) throw new Error(`README_MCP_CLIENT.md has no line "${anchor}"`);
  const lines = all.slice(from + 1);
  const start = lines.findIndex((line) => line.startsWith('|') || /^#+ /.test(line));
  if (start === -1 || !lines[start]?.startsWith('|')) throw new Error(`no table after "${anchor}"`);
  const names: string[] = [];
  for (let index = start + 2; lines[index]?.startsWith('|'); index++) {
    const name = /^\| `([^`]+)`/.exec(lines[index] ?? '')?.[1];
    if (name !== undefined) names.push(name);
  }
  return names;
}

const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

describe('errors', () => {
  const classes = SOURCES.filter((source) => source.fileName.startsWith('src/')).flatMap((source) => findAll(source, ts.isClassDeclaration)).flatMap((node) => {
    const code = node.members.find((member) => member.name !== undefined && textOf(member.name) === 'code');
    let initializer = code !== undefined && ts.isPropertyDeclaration(code) ? code.initializer : undefined;
    if (initializer !== undefined && ts.isAsExpression(initializer)) initializer = initializer.expression;
    if (node.name === undefined || initializer === undefined || !ts.isStringLiteral(initializer)) return [];
    return [{ name: node.name.text, code: initializer.text }];
  });

  test('every McpClientErrorCode belongs to a class', () => {
    expect(classes.length).toBeGreaterThanOrEqual(13);
    expect(sorted(classes.map((error) => error.code))).toEqual(sorted(literalUnion('McpClientErrorCode')));
  });

  test('the errors table has one row per class, with its code', () => {
    const rows = section('## Errors').split('\n').filter((line) => line.startsWith('| `'));
    const documented = rows.map((line) => /^\| `(\w+)` \(`(\w+)`\)/.exec(line)?.slice(1, 3).join(' ') ?? line);
    expect(sorted(documented)).toEqual(sorted(classes.map((error) => `${error.name} ${error.code}`)));
  });

  test.each(['ConnectionFailureReason', 'ProtocolErrorReason', 'TimeoutKind'])('every %s literal', (alias) => {
    const literals = literalUnion(alias);
    expect(literals.length).toBeGreaterThan(0);
    expect(literals.filter((literal) => !section('## Errors').includes(`\`${literal}\``))).toEqual([]);
  });
});

describe('events and the client surface', () => {
  test('the events table lists exactly the MCPClientEvents', () => {
    const events = interfaceMembers('MCPClientEvents');
    expect(events).toContain('recovered');
    expect(sorted(firstColumn('## Events'))).toEqual(sorted(events));
  });

  test('every StreamEvent type', () => {
    const types = literalUnion('StreamEvent');
    expect(types).toContain('session_lost');
    expect(types.filter((type) => !section('## Events').includes(`type: '${type}'`))).toEqual([]);
  });

  const members = declared(ts.isClassDeclaration, 'MCPClient').members;
  const isStatic = (member: ts.ClassElement): boolean =>
    ts.canHaveModifiers(member) && (ts.getModifiers(member) ?? []).some((modifier) => modifier.kind === ts.SyntaxKind.StaticKeyword);
  /** `#private` members have none; `[Symbol.asyncDispose]` is named as written. */
  const publicName = (member: ts.ClassElement): string | undefined => {
    if (member.name === undefined || ts.isPrivateIdentifier(member.name)) return undefined;
    return ts.isComputedPropertyName(member.name) ? `[${member.name.expression.getText()}]` : textOf(member.name);
  };

  test('the getters table lists exactly the MCPClient getters', () => {
    const getters = members.filter(ts.isGetAccessorDeclaration).flatMap((member) => publicName(member) ?? []);
    expect(getters).toContain('mcpSessionId');
    expect(sorted(firstColumn('### Getters'))).toEqual(sorted(getters));
  });

  test('the methods table lists exactly the MCPClient instance methods; MCPClient.connect is documented', () => {
    const methods = members.filter((member) => ts.isMethodDeclaration(member) && !isStatic(member)).flatMap((member) => publicName(member) ?? []);
    expect(methods).toContain('callTool');
    expect(sorted(firstColumn('### Methods').map((cell) => cell.split('(')[0] ?? cell))).toEqual(sorted(methods));
    const statics = members.filter((member) => ts.isMethodDeclaration(member) && isStatic(member)).flatMap((member) => publicName(member) ?? []);
    expect(statics.filter((name) => !README.includes(`\`MCPClient.${name}`))).toEqual([]);
  });

  test('every HealthReport field of checkMcpHealth', () => {
    const fields = interfaceMembers('HealthReport', 'src/');
    expect(sorted(firstColumn('### checkMcpHealth'))).toEqual(sorted(fields));
  });
});

describe('CLI', () => {
  const commandFiles = readdirSync(resolve(ROOT, 'src/cli/commands')).filter((file) => file.endsWith('.ts'));
  const commands = commandFiles.map((file) => {
    const source = parse(`src/cli/commands/${file}`);
    const nameProperty = findAll(source, ts.isPropertyAssignment).find((node) => textOf(node.name) === 'name' && ts.isStringLiteral(node.initializer));
    const name = nameProperty !== undefined && ts.isStringLiteral(nameProperty.initializer) ? nameProperty.initializer.text : file;
    const flags = findAll(source, ts.isCallExpression)
      .filter((call) => call.expression.getText() === 'parseCommandLine')
      .flatMap((call) => {
        const options = call.arguments[2];
        if (options === undefined || !ts.isObjectLiteralExpression(options)) return [];
        return options.properties.flatMap((property) => {
          const flag = property.name === undefined ? undefined : textOf(property.name);
          const short = findAll(property, ts.isPropertyAssignment).find((inner) => textOf(inner.name) === 'short');
          const shortFlag = short !== undefined && ts.isStringLiteral(short.initializer) ? [`-${short.initializer.text}`] : [];
          return flag === undefined ? shortFlag : [`--${flag}`, ...shortFlag];
        });
      });
    return { name, flags };
  });

  test('the commands table lists exactly the commands in src/cli/commands/', () => {
    expect(commands.map((command) => command.name)).toContain('health');
    expect(sorted(firstColumn('## CLI').map((cell) => cell.split(' ')[1] ?? cell))).toEqual(sorted(commands.map((command) => command.name)));
  });

  test.each(commands.map((command) => [command.name, command.flags] as const))('every flag of `archon-mcp %s` in its section', (name, flags) => {
    const text = section(`### archon-mcp ${name}`);
    expect(flags.filter((flag) => !new RegExp(`\`${flag}[ \`]`).test(text))).toEqual([]);
  });

  test('the global flags', () => {
    const common = objectKeys('COMMON_OPTIONS');
    expect(common).toContain('verbose');
    expect(common.filter((flag) => !section('## CLI').includes(`\`--${flag}\``))).toEqual([]);
  });

  /** The numeric value of `const name = 30_000` in `file`. */
  /** The numeric value of `const name = 30_000`, wherever it is declared. */
  const numericConst = (name: string): number => {
    const { initializer } = declared(ts.isVariableDeclaration, name);
    if (initializer === undefined || !ts.isNumericLiteral(initializer)) throw new Error(`${name} is not a number literal`);
    return Number(initializer.text.replace(/_/g, ''));
  };
  const rowOf = (heading: string, start: string): string => section(heading).split('\n').find((line) => line.startsWith(`| ${start}`)) ?? '';

  test('the documented --timeout defaults', () => {
    const health = numericConst('HEALTH_TIMEOUT_DEFAULT_MS');
    const others = numericConst('CLI_TIMEOUT_DEFAULT_MS');
    expect(rowOf('### archon-mcp health', '`--timeout')).toContain(`\`${health}\``);
    for (const name of ['call', 'tools', 'types']) expect(rowOf(`### archon-mcp ${name}`, '`--timeout')).toContain(`\`${others}\``);
  });

  const serve = declared(ts.isVariableDeclaration, 'INTEGER_FLAGS').getSourceFile();
  test('every `serve` flag and environment variable', () => {
    const parseArgsOptions = findAll(serve, ts.isPropertyAssignment).find(
      (node) => textOf(node.name) === 'options' && ts.isObjectLiteralExpression(node.initializer) && node.initializer.properties.some(ts.isSpreadAssignment),
    );
    const booleanFlags =
      parseArgsOptions !== undefined && ts.isObjectLiteralExpression(parseArgsOptions.initializer)
        ? parseArgsOptions.initializer.properties.flatMap((property) => (ts.isPropertyAssignment(property) ? [textOf(property.name) ?? ''] : []))
        : [];
    expect(booleanFlags).toContain('no-event-store');
    const flags = [...objectKeys('INTEGER_FLAGS'), ...objectKeys('STRING_FLAGS'), ...booleanFlags].map((flag) => `--${flag}`);
    const environment = sorted(findAll(serve, ts.isStringLiteral).map((node) => node.text).filter((text) => /^MCP_[A-Z_]+$/.test(text)));
    expect(environment).toContain('MCP_STORE');
    const text = section('### archon-mcp serve');
    expect(flags.filter((flag) => !new RegExp(`\`${flag}[ \`]`).test(text))).toEqual([]);
    expect(environment.filter((name) => !new RegExp(`\`${name}[=\`]`).test(text))).toEqual([]);
  });

  test('the serve defaults that differ from startReferenceServer', () => {
    const defaults = objectValues('SERVE_DEFAULTS');
    expect(defaults.map(([key]) => key)).toContain('store');
    expect(defaults.filter(([key, value]) => !rowOf('### archon-mcp serve', `\`--${key} `).includes(`\`${value}\``))).toEqual([]);
  });
});

describe('reference server', () => {
  test('the metrics table lists exactly the registered metrics', () => {
    const names = SOURCES.filter((source) => source.fileName.startsWith('server/'))
      .flatMap((source) => findAll(source, ts.isPropertyAssignment))
      .flatMap((node) => (textOf(node.name) === 'name' && ts.isStringLiteral(node.initializer) ? [node.initializer.text] : []))
      .filter((name) => name.startsWith('mcp_'));
    expect(names).toContain('mcp_sessions_active');
    expect(sorted(firstColumn('Metrics:'))).toEqual(sorted(names));
  });

  test('the fault table lists exactly the ServerFaults methods', () => {
    const methods = interfaceMembers('ServerFaults');
    expect(methods).toContain('failNext');
    expect(sorted(firstColumn('### Fault injection for tests').map((cell) => cell.split('(')[0] ?? cell))).toEqual(sorted(methods));
  });

  test('every server.stats() field', () => {
    const fields = interfaceMembers('ServerStatsSnapshot');
    const row = section('## Reference server').split('\n').find((line) => line.startsWith('| `stats()`')) ?? '';
    expect(fields.filter((field) => !row.includes(`\`${field}\``))).toEqual([]);
  });

  test('every /health field', () => {
    const fields = interfaceMembers('HealthReport', 'server/');
    const row = section('### Endpoints').split('\n').find((line) => line.startsWith('| `GET /health`')) ?? '';
    expect(fields.filter((field) => !new RegExp(`\\b${field}\\b`).test(row))).toEqual([]);
  });

  test('the tools table lists exactly the registered tools', () => {
    const tools = SOURCES.filter((source) => source.fileName.startsWith('server/'))
      .flatMap((source) => findAll(source, ts.isCallExpression))
      .filter((call) => ts.isPropertyAccessExpression(call.expression) && call.expression.name.text === 'registerTool')
      .flatMap((call) => {
        const [name] = call.arguments;
        return name !== undefined && ts.isStringLiteral(name) ? [name.text] : [];
      });
    expect(tools).toContain('counter');
    expect(sorted(firstColumn('### Tools, resources and prompts'))).toEqual(sorted(tools));
  });

  test('every store kind', () => {
    const kinds = literalUnion('StoreKind');
    const text = section('### Stores');
    const spec = (kind: string) => (kind === 'pglite' || kind === 'file' ? `'${kind}:` : kind === 'memory' ? "'memory'" : `'${kind}://`);
    expect(kinds.filter((kind) => !text.includes(spec(kind)))).toEqual([]);
  });
});

describe('logging', () => {
  const calls = (under: string) => SOURCES.filter((source) => source.fileName.startsWith(under)).flatMap((source) => findAll(source, ts.isCallExpression));

  test('every client log line, at its level', () => {
    const lines = calls('src/').flatMap((call) => {
      const [, level, , message] = call.arguments;
      if (!ts.isIdentifier(call.expression) || call.expression.text !== 'log' || level === undefined || message === undefined) return [];
      return ts.isStringLiteral(level) && ts.isStringLiteral(message) ? [`| \`${level.text}\` | \`${message.text}\``] : [];
    });
    expect(lines.length).toBeGreaterThanOrEqual(10);
    const text = section('## Logging');
    expect(lines.filter((line) => !text.includes(line))).toEqual([]);
  });

  test('every server log message', () => {
    const messages = calls('server/').flatMap((call) => {
      const level = /logger\.(debug|info|warn|error)\??\.?$/.exec(call.expression.getText())?.[1];
      const [entry] = call.arguments;
      if (level === undefined || entry === undefined || !ts.isObjectLiteralExpression(entry)) return [];
      return entry.properties.flatMap((property) =>
        ts.isPropertyAssignment(property) && textOf(property.name) === 'msg' && ts.isStringLiteral(property.initializer)
          ? [`| \`${level}\` | \`${property.initializer.text}\``]
          : [],
      );
    });
    expect(messages).toContain('| `info` | `session adopted`');
    const text = section('## Logging');
    expect(messages.filter((message) => !text.includes(message))).toEqual([]);
  });
});

describe('entry points', () => {
  test.each(['src/index.ts', 'src/auth/index.ts', 'server/index.ts'])('every export of %s is named', (file) => {
    const names = findAll(parse(file), ts.isExportSpecifier).map((specifier) => specifier.name.text);
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((name) => !README.includes(`\`${name}\``))).toEqual([]);
  });
});

describe('links', () => {
  test('every #anchor link points at a heading (GitHub slugs)', () => {
    const slugs = new Set(
      README.split('\n')
        .filter((line) => /^#{1,6} /.test(line))
        .map((line) => line.replace(/^#+ /, '').toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')),
    );
    const anchors = [...README.matchAll(/\]\(#([^)]+)\)/g)].map((match) => match[1] ?? '');
    expect(anchors.length).toBeGreaterThan(10);
    expect(anchors.filter((anchor) => !slugs.has(anchor))).toEqual([]);
  });
});
