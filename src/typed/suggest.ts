/**
 * "Did you mean ...?" for `UnknownToolError`: ranks the server's tool names by how close they are to the
 * name the caller typed.
 */

/**
 * Tool names close to `name`, best first, at most `max`.
 *
 * A name qualifies when it differs by a few edits (insertions, deletions, substitutions, swapped neighbours;
 * about one per three characters, at least one) or when one name starts with or contains the other. Case,
 * `-` and `_` are ignored so `findProjects` and `find-projects` both lead to `find_projects`. Ties are
 * broken alphabetically so the output is stable.
 *
 * @example
 * ```ts
 * suggestToolNames('find_project', ['find_projects', 'echo', 'slow']); // ['find_projects']
 * suggestToolNames('ehco', ['echo', 'counter']);                        // ['echo']
 * ```
 */
export function suggestToolNames(name: string, known: readonly string[], max = 3): string[] {
  if (!Number.isInteger(max) || max < 0) {
    throw new TypeError(`Expected \`max\` to be a non-negative integer, got ${String(max)}`);
  }
  const wanted = normalizeToolName(name);
  if (wanted === '' || max === 0) return [];

  const scored: { name: string; score: number }[] = [];
  for (const candidate of new Set(known)) {
    const score = scoreCandidate(wanted, normalizeToolName(candidate));
    if (score !== undefined) scored.push({ name: candidate, score });
  }
  scored.sort((a, b) => a.score - b.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return scored.slice(0, max).map((entry) => entry.name);
}

/** Lower score is closer; `undefined` means "not worth suggesting". */
function scoreCandidate(wanted: string, candidate: string): number | undefined {
  if (candidate === '') return undefined;
  const distance = editDistance(wanted, candidate);
  const allowed = Math.max(1, Math.floor(Math.max(wanted.length, candidate.length) / 3));
  if (distance <= allowed) return distance;
  // Prefix and substring hits rank after every typo-level match: `find` -> `find_projects` is helpful but
  // less certain than `fnd_projects` -> `find_projects`.
  if (candidate.startsWith(wanted) || wanted.startsWith(candidate)) return allowed + 1 + distance / 1000;
  if (wanted.length >= 3 && candidate.includes(wanted)) return allowed + 2 + distance / 1000;
  return undefined;
}

function normalizeToolName(name: string): string {
  return name.toLowerCase().replace(/[-_\s.]/g, '');
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions), two rolling rows. */
function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (beforePrevious[j - 2] ?? 0) + 1);
      }
      current.push(best);
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}
