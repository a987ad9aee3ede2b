/**
 * Loads a store's driver package on demand. The drivers are optional peers: a server on the memory
 * store must load without any of them (issue 10: `archon-mcp-client/server` failed with "Cannot find
 * module 'pg'" in a consumer project because the drivers were imported at the top of the bundle).
 * A missing driver becomes one line that names the package to install and the memory alternative.
 */

/** Store kinds whose driver is an optional package, and the package each needs. */
const DRIVERS = {
  pglite: '@electric-sql/pglite',
  postgres: 'pg',
  redis: 'redis',
} as const;

/** A store kind that needs a driver package. */
export type DriverStoreKind = keyof typeof DRIVERS;

function isModuleNotFound(error: unknown, packageName: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  const message = String((error as { message?: unknown }).message ?? '');
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(packageName);
}

/**
 * The error for a driver that is not installed: what to install, and the store that needs nothing.
 *
 * @example
 * ```ts
 * missingDriverError('redis', cause).message;
 * // "The redis store needs the package 'redis': run `npm install redis`, or use the 'memory' store"
 * ```
 */
export function missingDriverError(kind: DriverStoreKind, cause: unknown): Error {
  const packageName = DRIVERS[kind];
  return new Error(
    `The ${kind} store needs the package '${packageName}': run \`npm install ${packageName}\`, or use the 'memory' store`,
    { cause },
  );
}

/**
 * `import()`s the driver of `kind`, turning "module not found" into {@link missingDriverError}.
 * `load` is the literal `import('pkg')` of the caller, so bundlers and type-checkers see the specifier.
 *
 * @example
 * ```ts
 * const { PGlite } = await loadDriver('pglite', () => import('@electric-sql/pglite'));
 * ```
 */
export async function loadDriver<Module>(kind: DriverStoreKind, load: () => Promise<Module>): Promise<Module> {
  try {
    return await load();
  } catch (error) {
    if (isModuleNotFound(error, DRIVERS[kind])) throw missingDriverError(kind, error);
    throw error;
  }
}
