import type { Db } from '../platform/db/db.js';
import type { AssetKind } from './model.js';
import type { LedgerService } from './service.js';
import { formatVerifyReport, verifyLedger } from './verify.js';

/**
 * The ledger's command-line actions, as functions of their dependencies and an output,
 * so tests run exactly what `vaultwire` runs. Each returns the process exit code.
 */

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** `vaultwire ledger verify`: 0 when every invariant holds, 1 with the report otherwise. */
export async function runLedgerVerify(
  db: Db,
  io: Output,
  options: { json?: boolean } = {},
): Promise<number> {
  const report = await verifyLedger(db);
  if (options.json) io.out(JSON.stringify(report, null, 2));
  else if (report.ok) io.out(formatVerifyReport(report));
  else io.err(formatVerifyReport(report));
  return report.ok ? 0 : 1;
}

/** `vaultwire assets create`: registers an asset (and its house accounts). */
export async function runAssetsCreate(
  ledger: LedgerService,
  io: Output,
  input: { code: string; kind: string; scale: number; name?: string },
): Promise<number> {
  const r = await ledger.createAsset({
    code: input.code,
    kind: input.kind as AssetKind,
    scale: input.scale,
    ...(input.name !== undefined ? { name: input.name } : {}),
  });
  if (!r.ok) {
    io.err(`${r.code}: ${r.message}`);
    return 1;
  }
  io.out(
    `${r.created ? 'Created' : 'Already exists:'} ${r.asset.code} (${r.asset.kind}, scale ${r.asset.scale}, ${r.asset.name})`,
  );
  return 0;
}

/** `vaultwire assets list`. */
export async function runAssetsList(ledger: LedgerService, io: Output): Promise<number> {
  const assets = await ledger.listAssets();
  if (assets.length === 0)
    io.out('No assets. Create one with: vaultwire assets create USD --kind fiat --scale 2');
  for (const a of assets)
    io.out(
      `${a.code.padEnd(8)} ${a.kind.padEnd(6)} scale ${String(a.scale).padStart(2)}  ${a.name}`,
    );
  return 0;
}
