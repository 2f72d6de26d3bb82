import { formatMoney } from '../format';

export function Money({ amountMinor, currency }: { amountMinor: number; currency: string }): React.JSX.Element {
  return <span className={`money${amountMinor < 0 ? ' negative' : ''}`}>{formatMoney(amountMinor, currency)}</span>;
}
