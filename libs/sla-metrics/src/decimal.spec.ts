/// <reference types="jest" />
import fc from 'fast-check';
import { compareDecimals, decimalOfNumber, parsePlainDecimal, unitsAtScale } from './decimal';

describe('parsePlainDecimal', () => {
  it.each([
    ['99.99', 9999n, 2],
    ['99', 99n, 0],
    ['0.001', 1n, 3],
    ['100.000', 100000n, 3],
  ])('reads %s as %p / 10^%i', (text, units, scale) => {
    expect(parsePlainDecimal(text)).toEqual({ units, scale });
  });

  it.each(['', '-1', '1e2', '.5', '5.', ' 5', '5 ', '1,5', 'NaN', '0x10'])(
    'refuses %p',
    (text) => {
      expect(parsePlainDecimal(text)).toBeUndefined();
    },
  );
});

describe('decimalOfNumber', () => {
  it.each([
    [0.999, 999n, 3],
    [14.4, 144n, 1],
    [6, 6n, 0],
    [1e-7, 1n, 7],
    [1.5e-7, 15n, 8],
    [1e21, 10n ** 21n, 0],
  ])('reads %p as %p / 10^%i', (value, units, scale) => {
    expect(decimalOfNumber(value)).toEqual({ units, scale });
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses %p', (value) => {
    expect(decimalOfNumber(value)).toBeUndefined();
  });

  it('round-trips every finite non-negative double', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }), (value) => {
        const exact = decimalOfNumber(value);
        expect(exact).toBeDefined();
        if (exact === undefined) return;
        expect(Number(`${exact.units}e-${exact.scale}`)).toBe(value);
      }),
    );
  });
});

describe('compareDecimals', () => {
  it('compares across scales exactly', () => {
    const at = (text: string) => parsePlainDecimal(text) ?? { units: -1n, scale: 0 };
    expect(compareDecimals(at('99.99'), at('99.990'))).toBe(0);
    expect(compareDecimals(at('99.989'), at('99.99'))).toBe(-1);
    expect(compareDecimals(at('100'), at('99.9999999999999999999'))).toBe(1);
    expect(unitsAtScale(at('1.5'), 3)).toBe(1500n);
  });

  it('orders like the numbers for short decimals', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1_000_000 }), fc.nat({ max: 1_000_000 }), (a, b) => {
        const left = decimalOfNumber(a / 1000);
        const right = decimalOfNumber(b / 100);
        if (left === undefined || right === undefined) throw new Error('unreachable');
        expect(compareDecimals(left, right)).toBe(Math.sign(a - b * 10));
      }),
    );
  });
});
