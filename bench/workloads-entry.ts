// Every gradscope workload of the benchmark in one model file, for bench/marked-workloads.ts to bundle as the
// runner bundles a user's model.
export * from './workloads';
export * from './model-workloads';
