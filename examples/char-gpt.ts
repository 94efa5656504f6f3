// A character-level GPT learning nine of Shakespeare's sonnets (see data/README.md): token and position
// embeddings, two pre-LayerNorm transformer blocks (causal multi-head self-attention, then a GELU MLP, each with
// a residual connection), a final LayerNorm and a linear head. Run it with `npx gradscope run examples/char-gpt.ts`;
// the graph names every weight by its path (`blocks.1.attn.qkv.weight`) and points each attention op at its line.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Adam, arange, crossEntropy, manualSeed, nn, noGrad, ones, rand, randint, Tensor } from "gradscope";

manualSeed(0);
const text = readFileSync(join(__dirname, "data", "sonnets.txt"), "utf8");
const chars = [...new Set(text)].sort(); // the vocabulary: every distinct character of the text
const ids = [...text].map((c) => chars.indexOf(c));

const context = 32;
const embed = 32;
const heads = 4;
const headDim = embed / heads;
const hidden = 4 * embed;
const batch = 8;
const steps = 250;

// Position j may not attend to a later position: 1 above the diagonal marks the future.
const future = ones([context, context]).triu(1);

class CausalSelfAttention extends nn.Module {
  readonly qkv = new nn.Linear(embed, 3 * embed); // queries, keys and values in one product
  readonly proj = new nn.Linear(embed, embed);

  forward(x: Tensor): Tensor {
    const [b, t] = x.shape;
    // [B, T, 3·C] -> [3, B, heads, T, headDim]: each head attends over its own slice of the channels.
    const qkv = this.qkv.forward(x).reshape([b, t, 3, heads, headDim]).permute([2, 0, 3, 1, 4]);
    const [q, k, v] = [qkv.index(0), qkv.index(1), qkv.index(2)];
    const scores = q.matmul(k.permute([0, 1, 3, 2])).mul(1 / Math.sqrt(headDim)); // [B, heads, T, T]
    // A large negative rather than -Infinity: softmax gives it weight 0 all the same, and no Inf enters the
    // graph for Gradscope to report as where Inf starts.
    const masked = scores.maskedFill(future.slice([0, 0], [t, t]), -1e9);
    const weights = masked.softmax(-1);
    const mixed = weights.matmul(v); // [B, heads, T, headDim]
    return this.proj.forward(mixed.permute([0, 2, 1, 3]).reshape([b, t, embed]));
  }
}

class Block extends nn.Module {
  readonly ln1 = new nn.LayerNorm(embed);
  readonly attn = new CausalSelfAttention();
  readonly ln2 = new nn.LayerNorm(embed);
  readonly mlp = new nn.Sequential(new nn.Linear(embed, hidden), new nn.GELU(), new nn.Linear(hidden, embed));

  forward(x: Tensor): Tensor {
    const attended = x.add(this.attn.forward(this.ln1.forward(x)));
    return attended.add(this.mlp.forward(this.ln2.forward(attended)));
  }
}

class CharGPT extends nn.Module {
  readonly tokenEmbedding = new nn.Embedding(chars.length, embed);
  readonly positionEmbedding = new nn.Embedding(context, embed);
  readonly blocks = new nn.ModuleList([new Block(), new Block()]);
  readonly lnFinal = new nn.LayerNorm(embed);
  readonly head = new nn.Linear(embed, chars.length);

  constructor() {
    super();
    // Embeddings start at N(0, 0.3²) rather than nn.Embedding's N(0, 1): the blocks add their small outputs to
    // this stream, and unit-variance embeddings drown them out for longer (the loss falls slower for 250 steps).
    nn.init.normal(this.tokenEmbedding.weight, 0, 0.3);
    nn.init.normal(this.positionEmbedding.weight, 0, 0.3);
  }

  /** Logits [B, T, vocab] for token ids [B, T]: position t sees tokens 0..t only. */
  forward(tokens: number[][]): Tensor {
    const t = tokens[0].length;
    let h = this.tokenEmbedding.forward(tokens).add(this.positionEmbedding.forward(arange(t)));
    for (const block of this.blocks) h = block.forward(h);
    return this.head.forward(this.lnFinal.forward(h));
  }
}

const model = new CharGPT();
const optimizer = new Adam(model.parameters(), { lr: 1e-2 });

/** `batch` windows of the text at random offsets; each target is the character after its input. */
function sample(): { inputs: number[][]; targets: number[] } {
  const starts = [...randint(0, ids.length - context - 1, [batch]).data];
  return {
    inputs: starts.map((s) => ids.slice(s, s + context)),
    targets: starts.flatMap((s) => ids.slice(s + 1, s + context + 1)),
  };
}

/** A continuation of `prompt` drawn character by character from the model, the last `context` as the window. */
function generate(prompt: string, length: number): string {
  const out = [...prompt].map((c) => chars.indexOf(c));
  noGrad(() => {
    for (let i = 0; i < length; i++) {
      const window = out.slice(-context);
      const probs = model.forward([window]).index(0).index(window.length - 1).softmax().data;
      // Drawn, not the likeliest: greedy decoding of a model this small repeats one word forever.
      let u = rand([]).item();
      const next = probs.findIndex((p) => (u -= p) < 0);
      out.push(next < 0 ? probs.length - 1 : next);
    }
  });
  return out.map((i) => chars[i]).join("");
}

export function train() {
  console.log(`${chars.length} characters, ${ids.length} long; uniform baseline ln(vocab) = ${Math.log(chars.length).toFixed(3)}`);
  let loss = 0;
  for (let step = 0; step < steps; step++) {
    const { inputs, targets } = sample();
    optimizer.zeroGrad();
    const logits = model.forward(inputs);
    const l = crossEntropy(logits.reshape([batch * context, chars.length]), targets);
    l.backward(); // each backward() is one recorded step
    optimizer.step();
    loss = l.item();
  }
  console.log(`final loss: ${loss.toFixed(3)}`);
  console.log(`sample: ${JSON.stringify(generate("Shall I compare thee", 80))}`);
}
