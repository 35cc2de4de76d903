/**
 * Smoke mode (`BENCH_SMOKE=1`): every benchmark runs its whole path, baselines included,
 * on a tiny workload in seconds, so CI can run them all and a benchmark cannot rot
 * unseen. Its figures mean nothing and its floors are not checked; what it does check,
 * it checks as in a full run (nothing lost or doubled, the ledger balances, the baseline
 * ran), and any failure exits non-zero.
 */
export const SMOKE = process.env['BENCH_SMOKE'] === '1';

/** A numeric setting: the environment's value if given, else the full or smoke default. */
export function setting(name: string, full: number, smoke: number): number {
  const v = process.env[name];
  if (v !== undefined && v !== '') {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got ${v}`);
    return n;
  }
  return SMOKE ? smoke : full;
}

/** Where a run writes its figures: a smoke run never overwrites a real run's. */
export function resultsFile(name: string): string {
  return `${name}${SMOKE ? '.smoke' : ''}.json`;
}

/** One line that says what kind of run this is, first in every benchmark's output. */
export function announceSmoke(what: string): void {
  if (SMOKE) {
    console.log(
      `BENCH_SMOKE=1: ${what}; a tiny workload to check the benchmark runs end to end. The figures are not measurements and floors are not checked.`,
    );
  }
}
