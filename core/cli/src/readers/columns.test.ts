import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.ts';
import { locateColumns } from './columns.ts';

describe('locateColumns', () => {
  it('finds columns by normalised name, takes the first alias present and returns -1 for an absent one', () => {
    const column = locateColumns([' Name ', 'Created  at', 'Total', 'Source name'], ['Name', 'Created at', 'Total'], 'o.csv', 1, 'test');
    expect(column('Name')).toBe(0);
    expect(column('created at')).toBe(1);
    expect(column('Source', 'Source name')).toBe(3);
    expect(column('Currency')).toBe(-1);
  });

  it('throws missing-column naming every required column the header lacks', () => {
    const run = () => locateColumns(['month'], ['month', 'amount', 'currency'], 'spend.csv', 1, 'marketing spend');
    expect(run).toThrow(CliError);
    expect(run).toThrow('the marketing spend header lacks columns "amount", "currency".');
  });
});
