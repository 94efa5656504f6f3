// Helps a workspace use the engine: types so `import { ... } from "gradscope"` type-checks in the editor (one
// command writes a tsconfig paths entry to a copy of the engine's declarations), and a scaffolded model file.
import * as vscode from 'vscode';

/** Where the copied declarations live in a workspace folder. */
const TYPES_DIR = '.gradscope/types';

/** Copies the engine's declarations into the folder and maps "gradscope" to them in its tsconfig.json. */
export async function setupTypes(folder: vscode.Uri, extension: vscode.Uri): Promise<vscode.Uri> {
  const source = vscode.Uri.joinPath(extension, 'out', 'types');
  const target = vscode.Uri.joinPath(folder, ...TYPES_DIR.split('/'));
  await vscode.workspace.fs.copy(source, target, { overwrite: true });
  const tsconfigUri = vscode.Uri.joinPath(folder, 'tsconfig.json');
  let config: { compilerOptions?: Record<string, unknown>; [k: string]: unknown } = {};
  try {
    config = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(tsconfigUri))) as typeof config;
  } catch (e) {
    if (!(e instanceof vscode.FileSystemError)) {
      throw new Error(`tsconfig.json in ${folder.fsPath} is not plain JSON (comments?): add "paths": { "gradscope": ["./${TYPES_DIR}/engine/index.d.ts"] } to its compilerOptions yourself`);
    }
    config = { compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, esModuleInterop: true, skipLibCheck: true } };
  }
  const options = (config.compilerOptions ??= {});
  options.baseUrl ??= '.';
  const paths = (options.paths ?? {}) as Record<string, string[]>;
  paths.gradscope = [`./${TYPES_DIR}/engine/index.d.ts`];
  options.paths = paths;
  await vscode.workspace.fs.writeFile(tsconfigUri, new TextEncoder().encode(JSON.stringify(config, null, 2) + '\n'));
  return tsconfigUri;
}

export const MODEL_TEMPLATE = `// A Gradscope model: run "Gradscope: Show Gradient Graph" (or the CodeLens above train) to see its gradients.
import { Adam, crossEntropy, manualSeed, randn, Tensor, zeros } from "gradscope";

manualSeed(0);

// Two classes of points: inside or outside the unit circle.
const x = randn([128, 2]);
const labels = Array.from(x.mul(x).sum(1).data, (r) => (r < 1 ? 0 : 1));

const w1 = randn([2, 16]).mul(0.5).detach();
const b1 = zeros([16]);
const w2 = randn([16, 2]).mul(0.5).detach();
const params = [w1, b1, w2];
for (const p of params) p.requiresGrad = true;
const optimizer = new Adam(params, { lr: 0.05 });

function forward(input: Tensor): Tensor {
  return input.matmul(w1).add(b1).relu().matmul(w2);
}

export function train() {
  for (let step = 0; step < 100; step++) {
    optimizer.zeroGrad();
    const loss = crossEntropy(forward(x), labels);
    loss.backward(); // each backward() is one recorded step
    optimizer.step();
  }
}
`;

/** Writes a new model file (model.ts, model-2.ts, ...) into the folder, with types set up, and opens it. */
export async function newModelFile(folder: vscode.Uri, extension: vscode.Uri): Promise<vscode.TextEditor> {
  let uri = vscode.Uri.joinPath(folder, 'model.ts');
  for (let i = 2; await exists(uri); i++) uri = vscode.Uri.joinPath(folder, `model-${i}.ts`);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(MODEL_TEMPLATE));
  await setupTypes(folder, extension);
  await vscode.commands.executeCommand('typescript.restartTsServer').then(undefined, () => undefined);
  return vscode.window.showTextDocument(uri);
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
