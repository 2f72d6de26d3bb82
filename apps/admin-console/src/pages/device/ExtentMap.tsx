import type { DeviceExtent } from '../../api/types';
import { formatGiB } from '../../format';
import { tenantColour } from './tenantColour';

interface ExtentMapProps {
  deviceId: string;
  capacityGiB: number;
  extents: DeviceExtent[];
}

/** The SVG's own width: x = offset / capacity × this. */
export const mapWidth = 1000;
const barHeight = 48;
const tickFractions = [0, 0.25, 0.5, 0.75, 1];

export interface ExtentBox {
  extent: DeviceExtent;
  x: number;
  width: number;
}

export function extentBoxes(capacityGiB: number, extents: DeviceExtent[]): ExtentBox[] {
  if (capacityGiB <= 0) return [];
  return extents.map((extent) => ({
    extent,
    x: (extent.offsetGiB / capacityGiB) * mapWidth,
    width: (extent.sizeGiB / capacityGiB) * mapWidth,
  }));
}

// About how many map units a 13px label character takes; labels that would spill are cut.
const unitsPerChar = 7.5;

function label(box: ExtentBox): string {
  const { tenantName, sizeGiB } = box.extent;
  const room = Math.floor(box.width / unitsPerChar);
  const full = `${tenantName} · ${formatGiB(sizeGiB)}`;
  if (full.length <= room) return full;
  if (tenantName.length <= room) return tenantName;
  return room >= 4 ? `${tenantName.slice(0, room - 1)}…` : '';
}

/** The device's address range 0..capacity, one box per live extent, coloured by tenant. */
export function ExtentMap({ deviceId, capacityGiB, extents }: ExtentMapProps): React.JSX.Element {
  const boxes = extentBoxes(capacityGiB, extents);
  const tenants = new Map(extents.map((extent) => [extent.tenantId, extent.tenantName]));
  return (
    <figure className="extent-map card" data-testid="extent-map">
      <svg
        viewBox={`0 0 ${mapWidth} ${barHeight + 24}`}
        width="100%"
        role="img"
        aria-label={`Address map of ${deviceId}: ${extents.length} extents over ${formatGiB(capacityGiB)}`}
      >
        <rect className="extent-free" x={0} y={0} width={mapWidth} height={barHeight} />
        {boxes.map((box) => (
          <g
            key={`${box.extent.expansionId}@${box.extent.offsetGiB}`}
            data-testid={`extent-${box.extent.expansionId}`}
            data-offset-gib={box.extent.offsetGiB}
            data-size-gib={box.extent.sizeGiB}
          >
            <rect x={box.x} y={0} width={box.width} height={barHeight} fill={tenantColour(box.extent.tenantId)} className="extent">
              <title>
                {`${box.extent.tenantName} (${box.extent.tenantId}) · ${box.extent.expansionId} · VM ${box.extent.vmId} · ${formatGiB(box.extent.offsetGiB)} + ${formatGiB(box.extent.sizeGiB)} · ${box.extent.state}`}
              </title>
            </rect>
            <text x={box.x + box.width / 2} y={barHeight / 2 + 5} textAnchor="middle" className="extent-label">
              {label(box)}
            </text>
          </g>
        ))}
        {tickFractions.map((fraction) => (
          <text
            key={fraction}
            x={fraction * mapWidth}
            y={barHeight + 18}
            textAnchor={fraction === 0 ? 'start' : fraction === 1 ? 'end' : 'middle'}
            className="tick"
          >
            {formatGiB(Math.round(fraction * capacityGiB))}
          </text>
        ))}
      </svg>
      <figcaption className="legend">
        {[...tenants].map(([tenantId, tenantName]) => (
          <span key={tenantId} className="key">
            <span className="swatch" style={{ backgroundColor: tenantColour(tenantId) }} />
            {tenantName}
          </span>
        ))}
        {extents.length === 0 && <span className="muted">No live extents: the whole range is free.</span>}
      </figcaption>
    </figure>
  );
}
