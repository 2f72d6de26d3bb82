import { DEFAULT_CREDIT_TIERS } from '@mxs/sla-metrics';
import type { Plan } from '../plan';

export const HOUR = 3600;
/** A 30-day month, 2,592,000 s. */
export const MONTH = 30 * 24 * HOUR;

/** One price per tier, no minimum, credits per expansion on the default tiers. */
export const basic: Plan = {
  id: 'basic',
  currency: 'USD',
  prices: {
    direct: [{ upToGiBHours: null, unitPrice: '0.012' }],
    pooled: [{ upToGiBHours: null, unitPrice: '0.006' }],
  },
  minimumCommitMinor: 0,
  creditScope: 'expansion',
  creditTiers: DEFAULT_CREDIT_TIERS,
};

/** Direct memory in three graduated bands: 0.012 up to 1,000 GiB-hours, 0.010 up to 5,000, then 0.008. */
export const gold: Plan = {
  ...basic,
  id: 'gold',
  prices: {
    ...basic.prices,
    direct: [
      { upToGiBHours: 1000, unitPrice: '0.012' },
      { upToGiBHours: 5000, unitPrice: '0.010' },
      { upToGiBHours: null, unitPrice: '0.008' },
    ],
  },
};
