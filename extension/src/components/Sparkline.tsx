import { ui } from '../i18n/ui-locale.ts';

export interface SparklineProps {
  orders: readonly { placedAtMs: number; amountMinor: number }[];
  width?: number;
  height?: number;
  /** IANA zone of the dates in the label (the shop's). */
  timeZone: string;
}

/** A small SVG line of order amounts over time, drawn from numbers only (no markup from data). */
export function Sparkline({ orders, width = 160, height = 32, timeZone }: SparklineProps) {
  if (orders.length === 0) return null;
  const first = orders[0]!;
  const last = orders[orders.length - 1]!;
  const minX = first.placedAtMs;
  const spanX = Math.max(1, last.placedAtMs - minX);
  const maxY = Math.max(1, ...orders.map((o) => o.amountMinor));
  const pad = 3;
  const points = orders.map((o) => {
    const x = orders.length === 1 ? width / 2 : pad + ((o.placedAtMs - minX) / spanX) * (width - 2 * pad);
    const y = height - pad - (Math.max(0, o.amountMinor) / maxY) * (height - 2 * pad);
    return [Math.round(x * 10) / 10, Math.round(y * 10) / 10] as const;
  });
  const t = ui();
  const tz = timeZone;
  const dates = orders.length === 1 ? t.date(first.placedAtMs, tz) : `${t.date(first.placedAtMs, tz)} – ${t.date(last.placedAtMs, tz)}`;
  const label = `${t.t('ext.card.orders', { n: orders.length })}: ${dates}`;
  return (
    <svg class="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      <title>{label}</title>
      {points.length > 1 && <polyline fill="none" stroke="currentColor" stroke-width="1.5" points={points.map((p) => p.join(',')).join(' ')} />}
      {points.map(([x, y], i) => (
        <circle key={i} cx={x} cy={y} r="2" fill="currentColor" />
      ))}
    </svg>
  );
}
