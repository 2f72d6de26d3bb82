/// <reference types="jest" />
import fc from 'fast-check';
import {
  CURRENCY_MINOR_DIGITS,
  RatingError,
  TIERS,
  currencyMinorDigits,
  formatDecimal,
  formatMinor,
  gibHoursText,
  parseDecimal,
  roundHalfAwayFromZero,
  subtractDecimals,
  toSafeNumber,
} from './money';

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof RatingError) return error.code;
    throw error;
  }
  return undefined;
}

describe('currencies and tiers', () => {
  it.each([
    ['USD', 2],
    ['EUR', 2],
    ['ZAR', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['ISK', 0],
    ['BHD', 3],
    ['KWD', 3],
    ['JOD', 3],
  ])('%s has %i minor digits', (code, digits) => {
    expect(currencyMinorDigits(code)).toBe(digits);
  });

  it('knows nothing of unlisted codes or object keys', () => {
    expect(currencyMinorDigits('XYZ')).toBeUndefined();
    expect(currencyMinorDigits('usd')).toBeUndefined();
    expect(currencyMinorDigits('toString')).toBeUndefined();
    expect(currencyMinorDigits('__proto__')).toBeUndefined();
  });

  it('cannot be changed by callers', () => {
    expect(Object.isFrozen(CURRENCY_MINOR_DIGITS)).toBe(true);
    expect(Object.isFrozen(TIERS)).toBe(true);
    expect(TIERS).toEqual(['direct', 'pooled']);
  });
});

describe('parseDecimal', () => {
  it.each([
    ['0', 0n, 0],
    ['12', 12n, 0],
    ['0.012', 12n, 3],
    ['-1.50', -150n, 2],
    ['-0', 0n, 0],
    ['1.000000000001', 1000000000001n, 12],
  ])('reads %p as %p / 10^%i', (text, units, scale) => {
    expect(parseDecimal(text)).toEqual({ units, scale });
  });

  it.each(['', '.', '1.', '.5', '+1', '1e3', ' 1', '1 ', '1,5', '--1', '0.0000000000001', 'NaN'])(
    'refuses %p',
    (text) => {
      expect(parseDecimal(text)).toBeUndefined();
    },
  );
});

describe('formatDecimal and subtractDecimals', () => {
  it.each([
    [1500n, 3, '1.5'],
    [0n, 4, '0'],
    [-5n, 2, '-0.05'],
    [120n, 0, '120'],
    [-100n, 2, '-1'],
    [10n, 1, '1'],
  ])('writes %p / 10^%i as %p', (units, scale, text) => {
    expect(formatDecimal({ units, scale })).toBe(text);
  });

  it('never writes -0', () => {
    expect(formatDecimal({ units: -0n, scale: 3 })).toBe('0');
    const tenth = { units: 1n, scale: 1 };
    expect(formatDecimal(subtractDecimals(tenth, { units: 10n, scale: 2 }))).toBe('0');
  });

  it('subtracts exactly across scales', () => {
    const at = (text: string) => parseDecimal(text) ?? { units: 999n, scale: 0 };
    expect(subtractDecimals(at('0.010'), at('0.012'))).toEqual({ units: -2n, scale: 3 });
    expect(formatDecimal(subtractDecimals(at('0.01'), at('0.012')))).toBe('-0.002');
    expect(formatDecimal(subtractDecimals(at('1'), at('0.000000001')))).toBe('0.999999999');
  });

  it('refuses a scale that is not a whole number >= 0', () => {
    expect(codeOf(() => formatDecimal({ units: 1n, scale: -1 }))).toBe('invalid-input');
    expect(codeOf(() => subtractDecimals({ units: 1n, scale: 0.5 }, { units: 1n, scale: 0 }))).toBe(
      'invalid-input',
    );
  });

  it('round-trips canonical text', () => {
    fc.assert(
      fc.property(fc.bigInt(), fc.integer({ min: 0, max: 12 }), (units, scale) => {
        const text = formatDecimal({ units, scale });
        const back = parseDecimal(text);
        expect(back).toBeDefined();
        if (back === undefined) return;
        expect(back.units * 10n ** BigInt(scale)).toBe(units * 10n ** BigInt(back.scale));
        expect(formatDecimal(back)).toBe(text);
      }),
    );
  });
});

describe('roundHalfAwayFromZero', () => {
  it.each([
    [5n, 2n, 3n],
    [-5n, 2n, -3n],
    [7n, 3n, 2n],
    [-7n, 3n, -2n],
    [8n, 3n, 3n],
    [-8n, 3n, -3n],
    [0n, 9n, 0n],
    [1n, 2n, 1n],
    [-1n, 2n, -1n],
    [1n, 3n, 0n],
  ])('%p / %p rounds to %p', (numerator, denominator, expected) => {
    expect(roundHalfAwayFromZero(numerator, denominator)).toBe(expected);
  });

  it('refuses a denominator that is not positive', () => {
    expect(codeOf(() => roundHalfAwayFromZero(1n, 0n))).toBe('invalid-input');
    expect(codeOf(() => roundHalfAwayFromZero(1n, -2n))).toBe('invalid-input');
  });

  it('is within half a unit and symmetric around zero', () => {
    fc.assert(
      fc.property(
        fc.bigInt(),
        fc.bigInt({ min: 1n, max: 10n ** 30n }),
        (numerator, denominator) => {
          const rounded = roundHalfAwayFromZero(numerator, denominator);
          const errorTwice = 2n * (rounded * denominator - numerator);
          expect(errorTwice <= denominator && errorTwice >= -denominator).toBe(true);
          expect(roundHalfAwayFromZero(-numerator, denominator)).toBe(-rounded);
        },
      ),
    );
  });
});

describe('formatMinor', () => {
  it.each([
    [12345n, 2, '123.45'],
    [-5n, 2, '-0.05'],
    [7n, 0, '7'],
    [-7, 0, '-7'],
    [5, 3, '0.005'],
    [0n, 2, '0.00'],
    [100, 2, '1.00'],
  ])('writes %p with %i digits as %p', (amount, digits, text) => {
    expect(formatMinor(amount, digits)).toBe(text);
  });

  it('refuses amounts and digits that are not whole', () => {
    expect(codeOf(() => formatMinor(1.5, 2))).toBe('invalid-input');
    expect(codeOf(() => formatMinor(Number.MAX_SAFE_INTEGER + 1, 2))).toBe('invalid-input');
    expect(codeOf(() => formatMinor(1n, -1))).toBe('invalid-input');
  });
});

describe('toSafeNumber', () => {
  it('converts safe integers and refuses the rest', () => {
    expect(toSafeNumber(-42n, 'x')).toBe(-42);
    expect(toSafeNumber(BigInt(Number.MAX_SAFE_INTEGER), 'x')).toBe(Number.MAX_SAFE_INTEGER);
    expect(codeOf(() => toSafeNumber(BigInt(Number.MAX_SAFE_INTEGER) + 1n, 'x'))).toBe(
      'invalid-input',
    );
  });
});

describe('RatingError', () => {
  it('carries its code and name', () => {
    const error = new RatingError('invalid-plan', 'no bands');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('RatingError');
    expect(error.code).toBe('invalid-plan');
    expect(error.message).toBe('no bands');
  });
});

describe('gibHoursText', () => {
  it('shows GiB-seconds as GiB-hours with 6 decimals, rounding the 7th half away from zero', () => {
    expect(gibHoursText(3600n)).toBe('1.000000');
    expect(gibHoursText(1n)).toBe('0.000278');
    expect(gibHoursText(0n)).toBe('0.000000');
    expect(gibHoursText(18n)).toBe('0.005000');
  });
});
