// A model that makes NaN: the log of a prediction that can go negative. The loss turns NaN at the first step;
// Gradscope points at the log as the op where NaN started, not at the loss where it was noticed.
import { randn, sgd } from "gradscope";

const x = randn([16, 3]);
const y = randn([16, 1]);
const w = randn([3, 1], { requiresGrad: true });

export function train() {
  for (let step = 0; step < 5; step++) {
    w.zeroGrad();
    const prediction = x.matmul(w);
    const logPrediction = prediction.log(); // NaN wherever prediction < 0
    const err = logPrediction.sub(y);
    const loss = err.mul(err).mean();
    loss.backward();
    sgd([w], 0.01);
  }
}
