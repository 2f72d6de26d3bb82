/// <reference types="jest" />
import * as rating from './index';

describe('@mxs/rating public surface', () => {
  it('exports exactly what billing uses, and no internal helper', () => {
    expect(Object.keys(rating).sort()).toEqual([
      'CURRENCY_MINOR_DIGITS',
      'RatingError',
      'TIERS',
      'currencyMinorDigits',
      'formatDecimal',
      'formatMinor',
      'gibHoursText',
      'parseDecimal',
      'planProblems',
      'rateMonth',
      'roundHalfAwayFromZero',
      'subtractDecimals',
      'usageIntervals',
    ]);
  });
});
