import { zipSync } from 'fflate';
import QRCode from 'qrcode';

/** Most codes in one QR export (a page; `starting_after` gives the next). */
export const MAX_QR_EXPORT = 2_000;

export type QrFormat = 'png' | 'svg';

/** A coupon code as a QR image: the code itself, error correction M, a 4-module margin. */
export async function codeQr(code: string, format: QrFormat): Promise<Uint8Array> {
  const options = { errorCorrectionLevel: 'M' as const, margin: 4 };
  if (format === 'svg') {
    return new TextEncoder().encode(await QRCode.toString(code, { ...options, type: 'svg' }));
  }
  return QRCode.toBuffer(code, { ...options, type: 'png', width: 256 });
}

/**
 * One ZIP of QR images, `<code>.<format>` each, plus `codes.csv` listing them. PNGs are
 * stored (already compressed); SVGs are deflated.
 */
export async function codesQrZip(codes: readonly string[], format: QrFormat): Promise<Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (const code of codes) files[`${code}.${format}`] = await codeQr(code, format);
  files['codes.csv'] = new TextEncoder().encode(`code\n${codes.join('\n')}\n`);
  return zipSync(files, { level: format === 'png' ? 0 : 6 });
}
