// Whole-model workloads written as a user writes them, with gradscope's nn modules: the CNN of
// examples/cnn-digits.ts and a small char-level GPT. Each factory builds the model and a fixed random batch up
// front and returns one training step (zeroGrad, forward, loss, backward, Adam) to time; tfjs-model-workloads.ts
// does the same maths in tfjs. The shapes live here so both sides read one definition.
import { Adam, crossEntropy, manualSeed, nn, noGrad, ones, rand, randint, Tensor } from 'gradscope';

export const CNN = { batch: 64, size: 8, channels1: 8, channels2: 16, classes: 10, lr: 0.01 };

/**
 * The model of examples/cnn-digits.ts: conv 1→8 → relu → pool, conv 8→16 → relu → pool, linear 64→10. Written
 * again rather than imported: importing the example would read its data set from beside the bundle.
 */
class DigitNet extends nn.Module {
  readonly conv1 = new nn.Conv2d(1, CNN.channels1, 3, { padding: 1 });
  readonly conv2 = new nn.Conv2d(CNN.channels1, CNN.channels2, 3, { padding: 1 });
  readonly pool = new nn.MaxPool2d(2);
  readonly fc = new nn.Linear(CNN.channels2 * 2 * 2, CNN.classes);

  forward(x: Tensor): Tensor {
    const h1 = this.pool.forward(this.conv1.forward(x).relu());
    const h2 = this.pool.forward(this.conv2.forward(h1).relu());
    return this.fc.forward(h2.flatten(1));
  }
}

/** One Adam step of the digits CNN on a fixed batch of 64 random 8×8 images. */
export function cnnStep(): () => number {
  manualSeed(7);
  const x = noGrad(() => rand([CNN.batch, 1, CNN.size, CNN.size]));
  const labels = Array.from(noGrad(() => randint(0, CNN.classes, [CNN.batch])).data);
  const model = new DigitNet();
  const optimizer = new Adam(model.parameters(), { lr: CNN.lr });
  return () => {
    optimizer.zeroGrad();
    const loss = crossEntropy(model.forward(x), labels);
    loss.backward();
    optimizer.step();
    return loss.item();
  };
}

export const GPT = { vocab: 64, context: 32, embed: 32, heads: 4, blocks: 2, hidden: 128, batch: 8, lr: 3e-3 };

/** Causal multi-head self-attention over [B, T, C]: heads are a batch axis of the matmuls. */
class CausalSelfAttention extends nn.Module {
  readonly query = new nn.Linear(GPT.embed, GPT.embed);
  readonly key = new nn.Linear(GPT.embed, GPT.embed);
  readonly value = new nn.Linear(GPT.embed, GPT.embed);
  readonly proj = new nn.Linear(GPT.embed, GPT.embed);
  // Positions a query may not see (above the diagonal): the complement of tril(ones), built once, not per step.
  readonly future: Tensor = ones([GPT.context, GPT.context]).sub(ones([GPT.context, GPT.context]).tril());

  forward(x: Tensor): Tensor {
    const [b, t, c] = x.shape;
    const d = c / GPT.heads;
    const split = (y: Tensor) => y.reshape([b, t, GPT.heads, d]).permute([0, 2, 1, 3]); // [B, H, T, D]
    const q = split(this.query.forward(x));
    const k = split(this.key.forward(x));
    const v = split(this.value.forward(x));
    const scores = q.matmul(k.transpose([0, 1, 3, 2])).mul(1 / Math.sqrt(d)).maskedFill(this.future, -Infinity);
    const mixed = scores.softmax(-1).matmul(v); // [B, H, T, D]
    return this.proj.forward(mixed.permute([0, 2, 1, 3]).reshape([b, t, c]));
  }
}

/** Pre-LayerNorm transformer block: x + attention(ln(x)), then x + mlp(ln(x)) with a GELU MLP 32→128→32. */
class Block extends nn.Module {
  readonly ln1 = new nn.LayerNorm(GPT.embed);
  readonly attention = new CausalSelfAttention();
  readonly ln2 = new nn.LayerNorm(GPT.embed);
  readonly up = new nn.Linear(GPT.embed, GPT.hidden);
  readonly down = new nn.Linear(GPT.hidden, GPT.embed);

  forward(x: Tensor): Tensor {
    const h = x.add(this.attention.forward(this.ln1.forward(x)));
    return h.add(this.down.forward(this.up.forward(this.ln2.forward(h)).gelu()));
  }
}

class CharGpt extends nn.Module {
  readonly tokens = new nn.Embedding(GPT.vocab, GPT.embed);
  readonly positions = new nn.Embedding(GPT.context, GPT.embed);
  readonly blocks = new nn.ModuleList(Array.from({ length: GPT.blocks }, () => new Block()));
  readonly lnFinal = new nn.LayerNorm(GPT.embed);
  readonly head = new nn.Linear(GPT.embed, GPT.vocab);
  private readonly where = Array.from({ length: GPT.context }, (_, i) => i);

  /** Logits [B, T, vocab] for token ids [B][T]. */
  forward(ids: number[][]): Tensor {
    let x = this.tokens.forward(ids).add(this.positions.forward(this.where));
    for (const block of this.blocks) x = block.forward(x);
    return this.head.forward(this.lnFinal.forward(x));
  }
}

/** Token ids [batch][context] and their next tokens, drawn from the seeded generator (no real text needed to time a step). */
export function gptBatch(seed: number): { ids: number[][]; targets: number[] } {
  manualSeed(seed);
  const stream = Array.from(noGrad(() => randint(0, GPT.vocab, [GPT.batch * (GPT.context + 1)])).data);
  const rows = Array.from({ length: GPT.batch }, (_, r) => stream.slice(r * (GPT.context + 1), (r + 1) * (GPT.context + 1)));
  return { ids: rows.map((row) => row.slice(0, -1)), targets: rows.flatMap((row) => row.slice(1)) };
}

/** One Adam step of the char GPT on a fixed batch: cross-entropy over [B*T, vocab]. */
export function gptStep(): () => number {
  const { ids, targets } = gptBatch(11);
  const model = new CharGpt();
  const optimizer = new Adam(model.parameters(), { lr: GPT.lr });
  return () => {
    optimizer.zeroGrad();
    const logits = model.forward(ids).reshape([GPT.batch * GPT.context, GPT.vocab]);
    const loss = crossEntropy(logits, targets);
    loss.backward();
    optimizer.step();
    return loss.item();
  };
}
