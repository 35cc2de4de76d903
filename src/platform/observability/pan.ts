/**
 * Card numbers (PANs) in text: found to refuse them where Vaultwire takes free text, and
 * masked in log lines, so a card number typed into the wrong field never reaches the
 * database or a log (PCI DSS requirement 3). A PAN here is 13 to 19 digits, optionally
 * grouped by single spaces or dashes, that passes the Luhn check; a longer run of digits
 * (a wei amount, an id) is not one.
 */

/** Digit runs of 13–19 digits with optional single space/dash separators, not inside a longer run. */
const CANDIDATE = /(?<![0-9])[0-9](?:[ -]?[0-9]){12,18}(?![0-9])/g;

/** The Luhn (mod 10) check over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

function* pansIn(text: string): Generator<RegExpExecArray> {
  CANDIDATE.lastIndex = 0;
  for (let m = CANDIDATE.exec(text); m; m = CANDIDATE.exec(text)) {
    const digits = m[0].replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) yield m;
  }
}

/** Whether the text holds something that looks like a card number. */
export function containsPan(text: string): boolean {
  return !pansIn(text).next().done;
}

/** The text with every PAN-like run replaced by `[card …1234]` (the last four digits kept). */
export function maskPans(text: string): string {
  let out = '';
  let last = 0;
  for (const m of pansIn(text)) {
    const digits = m[0].replace(/[ -]/g, '');
    out += `${text.slice(last, m.index)}[card …${digits.slice(-4)}]`;
    last = m.index + m[0].length;
  }
  return last === 0 ? text : out + text.slice(last);
}
