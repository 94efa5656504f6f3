// The messages between the extension and the webview: the guards each side runs before acting on a message,
// fed malformed and hostile ones, and the lookup that turns a view's id into a place in the user's code.
import * as assert from 'node:assert/strict';
import { Trace, traceFromJson, traceToJson, TRACE_VERSION } from '../../engine/trace';
import { isHostMessage, isViewMessage, siteToReveal } from '../../engine/view-messages';
import { mlpTrace } from '../webview/make-trace';

describe('messages from the webview (untrusted)', () => {
  it('accepts exactly the messages the view sends', () => {
    for (const m of [
      { type: 'ready' },
      { type: 'reveal', node: 0 },
      { type: 'reveal', node: 41 },
      { type: 'revealFinding', index: 2 },
      { type: 'export', format: 'png', data: 'data:image/png;base64,AAAA' },
      { type: 'export', format: 'svg', data: '<svg/>' },
    ]) {
      assert.equal(isViewMessage(m), true, JSON.stringify(m));
    }
  });

  it('drops a reveal that carries a file path, or anything else the host did not send', () => {
    const site = { file: '/etc/passwd', line: 1, column: 1, function: '' };
    for (const m of [
      { type: 'reveal', node: 3, site },
      { type: 'reveal', node: 3, file: '/etc/passwd' },
      { type: 'revealFinding', index: 0, site },
      { type: 'reveal', site },
      { type: 'open', file: '/etc/passwd' },
      { type: 'ready', command: 'workbench.action.terminal.new' },
    ]) {
      assert.equal(isViewMessage(m), false, JSON.stringify(m));
    }
  });

  it('drops malformed messages: wrong types, bad ids, unknown formats, oversized pictures', () => {
    const hostile = [
      null,
      undefined,
      42,
      'reveal',
      [],
      [{ type: 'ready' }],
      {},
      { type: 'READY' },
      { type: 'reveal' },
      { type: 'reveal', node: '3' },
      { type: 'reveal', node: -1 },
      { type: 'reveal', node: 1.5 },
      { type: 'reveal', node: NaN },
      { type: 'reveal', node: Infinity },
      { type: 'revealFinding', index: -2 },
      { type: 'revealFinding', index: '0' },
      { type: 'export', format: 'pdf', data: '' },
      { type: 'export', format: 'png' },
      { type: 'export', format: 'svg', data: { toString: () => 'x' } },
      { type: 'export', format: 'svg', data: 'x'.repeat(64 * 2 ** 20) },
      JSON.parse('{"type": "reveal", "node": 1, "__proto__": {"site": {"file": "/x"}}}'),
    ];
    for (const m of hostile) assert.equal(isViewMessage(m), false, String(JSON.stringify(m)).slice(0, 80));
  });
});

describe('messages from the host', () => {
  const trace = mlpTrace();

  it('accepts each kind', () => {
    for (const m of [
      { type: 'trace', json: traceToJson(trace) },
      { type: 'trace', json: traceToJson(trace), state: { metric: 'grad', step: -1, diff: false, selected: null, expanded: [], search: '' } },
      { type: 'trace', json: traceToJson(trace), state: { metric: 'grad', step: -1, diff: false, selected: null, expanded: [], search: '', orientation: 'right' } },
      { type: 'trace', json: traceToJson(trace), state: { metric: 'grad', step: -1, diff: false, selected: null, expanded: [], search: '', view: 'health' } },
      { type: 'trace', json: traceToJson(trace), state: { metric: 'grad', step: -1, diff: false, selected: null, expanded: [], search: '', view: 'graph' } },
      { type: 'highlightLine', file: '/m.ts', line: 3 },
      { type: 'select', node: 4 },
      { type: 'status', kind: 'running', text: 'running' },
    ]) {
      assert.equal(isHostMessage(m), true, JSON.stringify(m).slice(0, 80));
    }
  });

  it('drops malformed ones: another trace version, a bad saved state, wrong field types', () => {
    for (const m of [
      null,
      { type: 'trace' },
      { type: 'trace', trace },
      { type: 'trace', json: traceToJson(trace), state: { metric: 'loss' } },
      { type: 'trace', json: traceToJson(trace), state: { metric: 'grad', step: -1, diff: false, selected: null, expanded: [1], search: '' } },
      { type: 'trace', json: traceToJson(trace), state: { metric: 'grad', step: -1, diff: false, selected: null, expanded: [], search: '', orientation: 'sideways' } },
      { type: 'trace', json: traceToJson(trace), state: { metric: 'grad', step: -1, diff: false, selected: null, expanded: [], search: '', view: 'charts' } },
      { type: 'trace', json: traceToJson(trace), state: { metric: 'grad', step: -1, diff: false, selected: null, expanded: [], search: '', view: true } },
      { type: 'highlightLine', file: 3, line: 3 },
      { type: 'highlightLine', file: '/m.ts', line: 2.5 },
      { type: 'select', node: 'n4' },
      { type: 'status', kind: 'panic', text: '' },
      { type: 'eval', code: 'alert(1)' },
    ]) {
      assert.equal(isHostMessage(m), false, JSON.stringify(m)?.slice(0, 80));
    }
  });
});

describe('siteToReveal: what a view message may open', () => {
  const trace: Trace = mlpTrace();
  const withSite = trace.graph.nodes.find((n) => n.site !== null)!;

  it("opens the call that made a node the host sent", () => {
    assert.deepEqual(siteToReveal(trace, { type: 'reveal', node: withSite.id }), withSite.site);
  });

  it('opens where a finding points, by its index', () => {
    const withFinding: Trace = { ...trace, findings: [{ kind: 'unused-param', severity: 'warning', message: 'm', site: withSite.site }] };
    assert.deepEqual(siteToReveal(withFinding, { type: 'revealFinding', index: 0 }), withSite.site);
  });

  it('ignores ids the host never sent, and messages before any trace', () => {
    const unknown = Math.max(...trace.graph.nodes.map((n) => n.id)) + 1;
    assert.equal(siteToReveal(trace, { type: 'reveal', node: unknown }), undefined);
    assert.equal(siteToReveal(trace, { type: 'revealFinding', index: trace.findings.length }), undefined);
    assert.equal(siteToReveal(undefined, { type: 'reveal', node: withSite.id }), undefined);
  });
});

describe('traces as JSON', () => {
  const trace: Trace = mlpTrace();

  it('keeps NaN and Infinity apart from null (absent) in every numeric field', () => {
    const odd: Trace = {
      ...trace,
      steps: [
        { index: 0, loss: NaN, gradNorms: { a: Infinity }, paramNorms: { a: -Infinity } },
        { index: 1, loss: null, gradNorms: {}, paramNorms: {} },
      ],
    };
    const json = traceToJson(odd);
    assert.doesNotMatch(json.slice(json.indexOf('"steps"')), /"loss":null,"gradNorms":\{"a"/, 'NaN is not written as null');
    const back = traceFromJson(json)!;
    assert.ok(Number.isNaN(back.steps[0].loss));
    assert.equal(back.steps[0].gradNorms.a, Infinity);
    assert.equal(back.steps[0].paramNorms.a, -Infinity);
    assert.equal(back.steps[1].loss, null);
    assert.deepEqual(back.graph, JSON.parse(JSON.stringify(trace.graph))); // (-0 is written as 0)
  });

  it('leaves text that happens to read "NaN" as text', () => {
    const node = { ...trace.graph.nodes[0], op: 'NaN', key: 'Infinity' };
    const back = traceFromJson(traceToJson({ ...trace, file: 'NaN', graph: { ...trace.graph, nodes: [node] } }))!;
    assert.deepEqual([back.file, back.graph.nodes[0].op, back.graph.nodes[0].key], ['NaN', 'NaN', 'Infinity']);
  });

  it('refuses text that is not a trace of this version', () => {
    assert.equal(traceFromJson('{'), undefined);
    assert.equal(traceFromJson('[]'), undefined);
    assert.equal(traceFromJson(JSON.stringify({ ...trace, version: TRACE_VERSION - 1 })), undefined);
  });
});
