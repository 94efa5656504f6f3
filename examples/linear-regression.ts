// Linear regression by gradient descent: the reference model. Its loss falls by four to five orders of
// magnitude over 101 epochs. Run it with `npx gradscope run examples/linear-regression.ts`.
import { randn, randint, sgd } from "gradscope";

const x = randn([100, 3]);
const coef = randint(0, 10, [3]);
const y = x.mul(coef).sub(3);
const params = { w: randn([3, 3], { requiresGrad: true }), b: randn([3], { requiresGrad: true }) };

export function train() {
  for (let epoch = 0; epoch <= 100; epoch++) {
    for (const p of Object.values(params)) p.zeroGrad();
    const err = x.matmul(params.w).add(params.b).sub(y);
    const loss = err.mul(err).sum();
    loss.backward();                      // each backward() is one recorded step
    sgd(Object.values(params), 3e-4);
  }
}
