/**
 * The client modes under comparison, per era. MCPClient is imported lazily and a failure to load it is
 * reported as a row, so the SDK and floor figures still come out while `src/` is being worked on.
 * - legacy (2025-11-25): MCPClient, the v1 SDK `Client`, the undici floor on a hand-initialized session;
 * - modern (2026-07-28): MCPClient, the v2 SDK `Client` (`versionNegotiation: 'auto'`), the modern undici floor.
 */
import type { BenchEra } from './config';
import { sdkMode } from './clients/sdk';
import { sdkV2Mode } from './clients/sdk-v2';
import type { ClientMode, ModeId } from './clients/types';
import { floorMode } from './clients/undici-floor';
import { modernFloorMode } from './clients/undici-floor-modern';

/** Loaded modes, in report order, plus the ones that failed to load with why. */
export interface LoadedModes {
  readonly modes: ClientMode[];
  readonly failed: { readonly id: ModeId; readonly label: string; readonly error: string }[];
}

export async function loadModes(
  only: readonly ModeId[] | undefined,
  archonEntry: string | undefined,
  era: BenchEra = 'legacy',
): Promise<LoadedModes> {
  const wanted = (id: ModeId): boolean => only === undefined || only.includes(id);
  const loaded: LoadedModes = { modes: [], failed: [] };
  if (wanted('archon')) {
    try {
      const { createArchonMode } = await import('./clients/archon');
      loaded.modes.push(await createArchonMode(archonEntry, era));
    } catch (error) {
      loaded.failed.push({
        id: 'archon',
        label: 'MCPClient',
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  if (wanted('sdk')) loaded.modes.push(era === 'modern' ? sdkV2Mode : sdkMode);
  if (wanted('floor')) loaded.modes.push(era === 'modern' ? modernFloorMode : floorMode);
  return loaded;
}
