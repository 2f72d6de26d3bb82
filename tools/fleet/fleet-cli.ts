/**
 * `npm run fleet:generate -- --preset small|rack64|region [--seed N] [--vms-per-host N]` prints a
 * seeded fleet in the `mxs-fleet/1` JSON format; `npm run fleet:check -- FILE` validates one and
 * prints its totals, or every problem with its JSON path.
 */
import { readFileSync } from 'node:fs';
import { capacitySummary } from '@mxs/sla-metrics';
import { Fleet, generateFleetSpec, isFleetPresetName, loadFleet, saveFleet, TopologyError } from '@mxs/topology';

function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

function integer(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) fail(`${name} takes an integer, got "${value}"`);
  return n;
}

const [command, ...args] = process.argv.slice(2);
switch (command) {
  case 'generate': {
    const preset = option(args, '--preset') ?? 'small';
    if (!isFleetPresetName(preset)) fail(`unknown preset "${preset}": use small, rack64 or region`);
    const spec = generateFleetSpec({
      preset,
      seed: integer(option(args, '--seed'), '--seed', 1),
      vmsPerHost: integer(option(args, '--vms-per-host'), '--vms-per-host', 4),
    });
    process.stdout.write(saveFleet(Fleet.fromSpec(spec)));
    break;
  }
  case 'check': {
    const file = args[0] ?? fail('usage: npm run fleet:check -- FILE');
    try {
      const fleet = loadFleet(readFileSync(file, 'utf8'));
      const s = capacitySummary(fleet);
      console.log(`${file}: valid mxs-fleet/1 "${fleet.name}": ${fleet.hosts.length} hosts, ${fleet.devices.length} devices, ${s.capacityGiB} GiB, ${s.usedGiB} GiB used`);
    } catch (error) {
      if (!(error instanceof TopologyError)) throw error;
      console.error(`${file}: ${error.message}`);
      for (const detail of error.details) console.error(`  ${detail}`);
      process.exit(1);
    }
    break;
  }
  default:
    fail('usage: fleet-cli generate [--preset small|rack64|region] [--seed N] [--vms-per-host N] | check FILE');
}
