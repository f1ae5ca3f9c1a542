/**
 * "Did you mean …?" for names a person typed: the closest known name by edit distance (Levenshtein,
 * case-insensitive), offered only when it is close enough to be a likely typo.
 */

/** Edit distance between `a` and `b` (insertions, deletions, substitutions each cost 1). */
export function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The known name nearest to `typed`, when at most about a third of it differs; else undefined. */
export function nearest(typed: string, known: readonly string[]): string | undefined {
  const t = typed.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(t, k.toLowerCase());
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return bestD <= Math.max(2, Math.floor(typed.length / 3)) ? best : undefined;
}

/** A hint line: "did you mean X? " (when one is near) followed by `what`: the list of known names. */
export function suggestHint(typed: string, known: readonly string[], what: string): string {
  const near = nearest(typed, known);
  const list = known.length > 40 ? `${known.slice(0, 40).join(', ')} …` : known.join(', ');
  return `${near !== undefined ? `did you mean ${JSON.stringify(near)}? ` : ''}${what}: ${list}`;
}
