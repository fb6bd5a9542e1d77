import { describe, expect, it } from 'vitest';
import { CliError, CliErrorCode } from '../errors.ts';
import { captureIo } from '../testing/temp-files.ts';
import { checkDate, endMs, parseCurrencyOption, parseFileCommand, parseTimeZoneOption, usageErrorFor } from './command-line.ts';

const USAGE = 'Usage: clvlens demo <file>\n';
const usageError = usageErrorFor('demo', 'en', USAGE);
const OPTIONS = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).code).toBe(CliErrorCode.usage);
    return (error as CliError).message;
  }
  throw new Error('expected a usage error');
}

describe('usageErrorFor', () => {
  it('prefixes the command and appends its usage text', () => {
    const error = usageError('cli.usage.noFile');
    expect(error.code).toBe(CliErrorCode.usage);
    expect(error.message).toBe(`demo: name the orders file.\n\n${USAGE}`);
  });
});

describe('parseFileCommand', () => {
  it('returns the option values and the one file', () => {
    const io = captureIo('/tmp');
    expect(parseFileCommand(['orders.csv', '--json'], OPTIONS, USAGE, usageError, io)).toEqual({ values: { json: true }, file: 'orders.csv' });
    expect(io.out()).toBe('');
  });

  it('prints the usage and returns null for --help, before checking the file', () => {
    const io = captureIo('/tmp');
    expect(parseFileCommand(['-h'], OPTIONS, USAGE, usageError, io)).toBeNull();
    expect(io.out()).toBe(USAGE);
  });

  it('rejects unknown options, a missing file and a second file', () => {
    const io = captureIo('/tmp');
    expect(messageOf(() => parseFileCommand(['a.csv', '--bogus'], OPTIONS, USAGE, usageError, io))).toMatch(
      /^demo: unknown option --bogus; see the options below\./,
    );
    expect(messageOf(() => parseFileCommand([], OPTIONS, USAGE, usageError, io))).toBe(`demo: name the orders file.\n\n${USAGE}`);
    expect(messageOf(() => parseFileCommand(['a', 'b'], OPTIONS, USAGE, usageError, io))).toBe(`demo: expected one file, got 2.\n\n${USAGE}`);
  });
});

describe('parseTimeZoneOption', () => {
  it('defaults to UTC and rejects names that are not IANA zones', () => {
    expect(parseTimeZoneOption(undefined, usageError)).toBe('UTC');
    expect(parseTimeZoneOption('Europe/Paris', usageError)).toBe('Europe/Paris');
    expect(messageOf(() => parseTimeZoneOption('Mars/Base', usageError))).toContain('--timezone "Mars/Base" is not an IANA time zone');
  });
});

describe('parseCurrencyOption', () => {
  it('upper-cases an ISO 4217 code, is null when absent and rejects anything else, unknown codes included', () => {
    expect(parseCurrencyOption(undefined, usageError)).toBeNull();
    expect(parseCurrencyOption(' eur ', usageError)).toBe('EUR');
    expect(messageOf(() => parseCurrencyOption('EURO', usageError))).toContain('--currency "EURO" is not an ISO 4217 code');
    expect(messageOf(() => parseCurrencyOption('ZZZ', usageError))).toContain('--currency "ZZZ" is not an ISO 4217 code');
  });
});

describe('checkDate', () => {
  it('accepts a calendar date and names the option otherwise', () => {
    expect(() => checkDate('--calibration-end', '1997-09-30', usageError)).not.toThrow();
    expect(messageOf(() => checkDate('--calibration-end', '1997-13-01', usageError))).toContain('--calibration-end "1997-13-01" is not a date');
  });
});

describe('endMs', () => {
  it('returns the end of the given date, or of the last order day, in the time zone', () => {
    const orders = [{ placedAtMs: Date.UTC(2025, 0, 3, 12) }, { placedAtMs: Date.UTC(2025, 0, 5, 1) }, { placedAtMs: Date.UTC(2025, 0, 4) }];
    expect(endMs('2025-01-02', orders, 'UTC')).toBe(Date.UTC(2025, 0, 3) - 1);
    expect(endMs(null, orders, 'UTC')).toBe(Date.UTC(2025, 0, 6) - 1);
    // 01:00 UTC on 5 January is still 4 January in New York (UTC-5).
    expect(endMs(null, orders, 'America/New_York')).toBe(Date.UTC(2025, 0, 5, 5) - 1);
  });
});
