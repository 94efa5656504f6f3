// One workload timed alone in a fresh process (`node out/bench/alone.js NAME`), printing its Timing as JSON: how
// the NumPy peer is timed (its own python3 process), so the ratio to it compares like with like. In the bench's
// own process the same MLP step measured 15-20% slower (and a GPT step up to twice as slow): its heap holds every
// earlier row's garbage, and alternating with another side makes each pay for the other's collections.
import { measure, Timing } from './timing';
import { matmulProduct } from './kernels';
import { mlpStep } from './workloads';

const WORKLOADS: Record<string, () => () => unknown> = {
  mlp: mlpStep,
  matmul: matmulProduct,
};

if (require.main === module) {
  const name = process.argv[2];
  const make = WORKLOADS[name];
  if (make === undefined) {
    process.stderr.write(`alone: no workload ${name} (${Object.keys(WORKLOADS).join(', ')})\n`);
    process.exit(2);
  }
  const timing: Timing = measure(make());
  process.stdout.write(`${JSON.stringify(timing)}\n`);
}
