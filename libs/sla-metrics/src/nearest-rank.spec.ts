/// <reference types="jest" />
import { nearestRank } from './nearest-rank';

describe('nearestRank', () => {
  const tenths = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

  it('is the smallest value with at least p% of the values at or below it', () => {
    expect(nearestRank(tenths, 50)).toBe(5);
    expect(nearestRank(tenths, 51)).toBe(6);
    expect(nearestRank(tenths, 99)).toBe(10);
    expect(nearestRank(tenths, 100)).toBe(10);
  });

  it('clamps to the ends and is 0 for no values', () => {
    expect(nearestRank(tenths, 0)).toBe(1);
    expect(nearestRank(tenths, 150)).toBe(10);
    expect(nearestRank(new Float64Array(0), 99)).toBe(0);
  });
});
