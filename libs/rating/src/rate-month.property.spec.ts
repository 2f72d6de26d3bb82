/// <reference types="jest" />
import fc from 'fast-check';
import type { Plan } from './plan';
import { rateMonth } from './rate-month';
import type { RatedSegment } from './rating-input';

const MONTH = 30 * 24 * 3600;

// Nearest integer of a non-negative ratio, written differently from the code under test.
const nearest = (numerator: bigint, denominator: bigint): bigint =>
  (2n * numerator + denominator) / (2n * denominator);

function priceText(units: bigint, scale: number): string {
  if (scale === 0) return units.toString();
  const digits = units.toString().padStart(scale + 1, '0');
  return `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

const singleBand = (unitPrice: string): Plan => ({
  id: 'single',
  currency: 'USD',
  prices: {
    direct: [{ upToGiBHours: null, unitPrice }],
    pooled: [{ upToGiBHours: null, unitPrice }],
  },
  minimumCommitMinor: 0,
  creditScope: 'expansion',
  creditTiers: [],
});

const segmentDraft = fc.record({
  lengthSec: fc.integer({ min: 1, max: MONTH / 4 }),
  gapSec: fc.integer({ min: 0, max: 1000 }),
  priceUnits: fc.bigInt({ min: 0n, max: 10n ** 4n }),
  priceScale: fc.integer({ min: 0, max: 9 }),
  usage: fc.array(
    fc.record({
      // An expansion's tier is fixed for the month, so it follows from the id.
      expansionId: fc.constantFrom('d-1', 'd-2', 'p-1', 'p-2'),
      chargedGiBSeconds: fc.bigInt({ min: 0n, max: 10n ** 10n }),
    }),
    { maxLength: 6 },
  ),
});

describe('rateMonth with a single band and no credits', () => {
  it('totals Σ round(GiB-seconds × price / 3600) per segment and expansion', () => {
    fc.assert(
      fc.property(fc.array(segmentDraft, { minLength: 1, maxLength: 3 }), (drafts) => {
        let cursorSec = 0;
        let expectedMinor = 0n;
        const segments = drafts.map((draft): RatedSegment => {
          const startSec = cursorSec + draft.gapSec;
          cursorSec = startSec + draft.lengthSec;
          const perExpansion = new Map<string, bigint>();
          for (const { expansionId, chargedGiBSeconds } of draft.usage) {
            const before = perExpansion.get(expansionId) ?? 0n;
            perExpansion.set(expansionId, before + chargedGiBSeconds);
          }
          for (const gibSeconds of perExpansion.values()) {
            expectedMinor += nearest(
              gibSeconds * draft.priceUnits * 100n,
              3600n * 10n ** BigInt(draft.priceScale),
            );
          }
          return {
            plan: singleBand(priceText(draft.priceUnits, draft.priceScale)),
            startSec,
            endSec: cursorSec,
            usage: draft.usage.map(({ expansionId, chargedGiBSeconds }) => ({
              expansionId,
              tier: expansionId.startsWith('d') ? 'direct' : 'pooled',
              chargedGiBSeconds,
              chargedSeconds: 0,
              degradedGiBSeconds: 0n,
              degradedSeconds: 0,
            })),
          };
        });
        const invoice = rateMonth({ periodSeconds: MONTH, segments });
        expect(BigInt(invoice.totalMinor)).toBe(expectedMinor);
        expect(invoice.chargesMinor).toBe(invoice.totalMinor);
        expect(invoice.creditsMinor).toBe(0);
        expect(invoice.lines.every(({ kind }) => kind === 'usage')).toBe(true);
      }),
    );
  });
});
