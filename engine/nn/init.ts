// Initializers that fill a tensor in place from the seeded generator (manualSeed), with PyTorch's formulas, so a
// model ported from PyTorch starts from the same distributions. Each marks the tensor changed (in-place checks).
import { changed } from '../in-place';
import { nextNormal, nextUniform } from '../random';
import { formatShape } from '../format';
import { ShapeError } from '../shape';
import type { Tensor } from '../tensor';

function fill(t: Tensor, by: string, value: (i: number) => number): Tensor {
  for (let i = 0; i < t.size; i++) t.data[i] = value(i);
  changed(t, by);
  return t;
}

/** Uniform draws in [low, high). `uniform(w, -0.1, 0.1)` */
export function uniform(t: Tensor, low = 0, high = 1): Tensor {
  return fill(t, 'nn.init.uniform', () => low + (high - low) * nextUniform());
}

/** Normal draws with this mean and standard deviation. `normal(w, 0, 0.02)` */
export function normal(t: Tensor, mean = 0, std = 1): Tensor {
  return fill(t, 'nn.init.normal', () => mean + std * nextNormal());
}

/** Every value `value`. `constant(b, 0.1)` */
export function constant(t: Tensor, value: number): Tensor {
  return fill(t, 'nn.init.constant', () => value);
}

/** All zeros. */
export function zeros(t: Tensor): Tensor {
  return constant(t, 0);
}

/** All ones. */
export function ones(t: Tensor): Tensor {
  return constant(t, 1);
}

/** Fan in and fan out as PyTorch counts them: [out, in, ...kernel] weights, the kernel size multiplying both. */
export function fans(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.rank < 2) throw new ShapeError(`nn.init: fan in and fan out need a tensor of rank 2 or more, got shape ${formatShape(t.shape)}`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

/** The gain PyTorch recommends for a nonlinearity (`leakyRelu` with its negative slope `a`). */
export function calculateGain(nonlinearity: 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu', a = 0.01): number {
  switch (nonlinearity) {
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leakyRelu':
      return Math.sqrt(2 / (1 + a * a));
    default:
      return 1;
  }
}

export interface KaimingOptions {
  /** The negative slope of the leaky ReLU that follows (PyTorch's `a`; Linear and Conv2d use √5). */
  a?: number;
  mode?: 'fanIn' | 'fanOut';
  nonlinearity?: 'relu' | 'leakyRelu';
}

/** He initialisation, uniform: bound = gain · √(3 / fan). `kaimingUniform(w, { nonlinearity: 'relu' })` */
export function kaimingUniform(t: Tensor, options: KaimingOptions = {}): Tensor {
  const { a = 0, mode = 'fanIn', nonlinearity = 'leakyRelu' } = options;
  const { fanIn, fanOut } = fans(t);
  const bound = calculateGain(nonlinearity, a) * Math.sqrt(3 / (mode === 'fanIn' ? fanIn : fanOut));
  return uniform(t, -bound, bound);
}

/** He initialisation, normal: std = gain / √fan. */
export function kaimingNormal(t: Tensor, options: KaimingOptions = {}): Tensor {
  const { a = 0, mode = 'fanIn', nonlinearity = 'leakyRelu' } = options;
  const { fanIn, fanOut } = fans(t);
  return normal(t, 0, calculateGain(nonlinearity, a) / Math.sqrt(mode === 'fanIn' ? fanIn : fanOut));
}

/** Glorot initialisation, uniform: bound = gain · √(6 / (fanIn + fanOut)). `xavierUniform(w)` */
export function xavierUniform(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = fans(t);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -bound, bound);
}

/** Glorot initialisation, normal: std = gain · √(2 / (fanIn + fanOut)). */
export function xavierNormal(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = fans(t);
  return normal(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}
