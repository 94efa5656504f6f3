// A model with a parameter that never reaches the loss: `scale` is created and updated but the forward pass
// forgot to use it, so it gets no gradient. Gradscope points at the line that created it.
import { mse, randn, sgd, tensor } from "gradscope";

const x = randn([64, 4]);
const y = x.matmul(tensor([[1], [-2], [0.5], [3]]));
const w = randn([4, 1], { requiresGrad: true });
const scale = tensor([1], { requiresGrad: true });

export function train() {
  for (let step = 0; step < 50; step++) {
    w.zeroGrad();
    scale.zeroGrad();
    const prediction = x.matmul(w); // meant: x.matmul(w).mul(scale)
    const loss = mse(prediction, y);
    loss.backward();
    sgd([w, scale], 0.05);
  }
}
