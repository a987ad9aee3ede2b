/**
 * Stable TypeScript identifiers for generated tool types. Every tool's declarations share one namespace in
 * the generated module, so names are prefixed with the tool's own name and handed out once.
 */

/**
 * `find_projects` -> `FindProjects`, `get-user.v2` -> `GetUserV2`; never empty, never starts with a digit.
 *
 * @example
 * ```ts
 * toPascalCase('find_projects'); // 'FindProjects'
 * ```
 */
export function toPascalCase(text: string): string {
  const words = text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '');
  const joined = words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
  if (joined === '') return 'Tool';
  return /^[0-9]/.test(joined) ? `Tool${joined}` : joined;
}

/**
 * Hands out identifiers that are unique within one generated module: the second `Project` becomes `Project2`.
 *
 * @example
 * ```ts
 * const names = new NameRegistry();
 * names.claim('Project'); // 'Project'
 * names.claim('Project'); // 'Project2'
 * ```
 */
export class NameRegistry {
  readonly #taken = new Set<string>();

  /** Reserves `name` (or the first free `name2`, `name3`, ...) and returns what was reserved. */
  claim(name: string): string {
    let candidate = name;
    for (let counter = 2; this.#taken.has(candidate); counter++) candidate = `${name}${counter}`;
    this.#taken.add(candidate);
    return candidate;
  }
}

/** Whether `name` can be written as a bare property key in TypeScript. */
export function isIdentifierName(name: string): boolean {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name);
}
