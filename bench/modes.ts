/**
 * The client modes under comparison. MCPClient is imported lazily and a failure to load it is reported as a
 * row, so the SDK and floor figures still come out while `src/` is being worked on.
 */
import { floorMode } from './clients/undici-floor';
import { sdkMode } from './clients/sdk';
import type { ClientMode, ModeId } from './clients/types';

/** Loaded modes, in report order, plus the ones that failed to load with why. */
export interface LoadedModes {
  readonly modes: ClientMode[];
  readonly failed: { readonly id: ModeId; readonly label: string; readonly error: string }[];
}

export async function loadModes(
  only: readonly ModeId[] | undefined,
  archonEntry: string | undefined,
): Promise<LoadedModes> {
  const wanted = (id: ModeId): boolean => only === undefined || only.includes(id);
  const loaded: LoadedModes = { modes: [], failed: [] };
  if (wanted('archon')) {
    try {
      const { createArchonMode } = await import('./clients/archon');
      loaded.modes.push(await createArchonMode(archonEntry));
    } catch (error) {
      loaded.failed.push({
        id: 'archon',
        label: 'MCPClient',
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  if (wanted('sdk')) loaded.modes.push(sdkMode);
  if (wanted('floor')) loaded.modes.push(floorMode);
  return loaded;
}
