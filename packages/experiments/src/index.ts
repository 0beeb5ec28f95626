export { EXPERIMENT_FORMAT, ExperimentSpecError, canonicalJson, expandTasks, experimentId, parseSpec, type ExperimentSpec, type TaskPoint, type TaskRef } from "./spec.js";
export { BUILTIN_TASKS, loadTask, taskSeed, type Task } from "./tasks.js";
export { RESULTS_FORMAT, ResultsFile, VERSION, checkResultsOf, executeTask, jsonSafe, readResults, resultsHeader, type ResultRow, type ResultsHeader, type StoredResults } from "./results.js";
export { TaskPool } from "./pool.js";
export { checkTasks, runExperiment, type RunOptions, type Runner, type SweepProgress, type SweepResult, type TaskRunner } from "./run.js";
export { DEFAULT_NO_WORKER_NOTE_MS, DEFAULT_QUEUE, DEFAULT_REDIS_TIMEOUT_MS, checkRedisUrl, probeRedis, queueRunner, RedisLostError, startWorker, type NoWorkerInfo, type WorkerOptions } from "./queue.js";
export { endPointFit, figure6Aggregate, figure6ParamSets, isEndPoint, summarizeGroups, type EndPointFit, type Figure6Aggregate, type GroupSummary } from "./aggregate.js";
export { flatTable, toCsv, toParquet, type FlatTable } from "./table.js";
export { DEFAULT_END_POINT_GRAD_TOL, MAX_STEPS } from "./defaults.js";
