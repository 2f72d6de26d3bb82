/**
 * Last JSON lines of the benches, as printed by one `npm run bench` on 2026-11-21 (2 vCPU AMD
 * EPYC, 23.5 GiB, Node v20.20.2; the machine was shared, so the figures are low): the samples
 * figures.spec.ts maps. Kept verbatim, so a change of a bench's JSON shows up as a test to update.
 */

/** bench:placement, full run (5 rounds, seed 20261121). */
export const PLACEMENT_SAMPLE = '{"fleet":"region","decisionsPerSec":134879,"p50Us":6.6,"p99Us":15.97,"baselineDecisionsPerSec":5043,"acceptance":0.5789,"baselineAcceptance":0.5446,"strandedGiB":1281,"baselineStrandedGiB":2322,"utilization":0.85,"rack64":{"decisionsPerSec":136684,"p50Us":5.59,"p99Us":19.39,"baselineDecisionsPerSec":22706,"acceptance":0.6276,"baselineAcceptance":0.5972,"strandedGiB":24,"baselineStrandedGiB":33},"regionOverRack64":0.968,"regionOverRack64P50":1.209,"rounds":5,"targets":{"decisionsPerSec":100000,"p99Us":100,"regionOverRack64":1.5},"pass":{"decisionsPerSec":true,"p99Us":true,"regionOverRack64":true,"acceptance":true},"quick":false,"seed":20261121}';

/** bench:api, full run (20 s at concurrency 32). */
export const API_SAMPLE = '{"placementsPerSec":419,"requestsPerSec":419,"p50Ms":66.8,"p99Ms":242.71,"statusCounts":{"202":8408,"409":0,"422":0},"errors":0,"timeouts":0,"floorTxPerSec":3319,"floorP99Ms":26.2,"ratio":0.126,"targets":{"placementsPerSec":1000,"p99Ms":50},"met":{"placementsPerSec":false,"p99Ms":false},"durationSec":20.09,"concurrency":32,"poolSize":20,"fleet":{"name":"rack64","hosts":1024,"tenants":128,"vms":2048},"utilization":0.0934,"prefill":0,"cpuMsPerRequest":{"api":0.827,"postgres":0.664,"postgres server":0.001,"redis":0.042,"client":0.081,"others":3.154},"cpuMsPerFloorTx":{"api":0,"postgres":0.147,"postgres server":0,"redis":0.003,"client":0.101,"others":0.344},"machineBusyPct":100,"seed":20261121}';

/** bench:billing, full run (50,000 events; a month of 10,000 tenants). */
export const BILLING_SAMPLE = '{"ingestEventsPerSec":3570,"ingestBaselineJobsPerSec":4372,"ingestRatio":0.816,"invoiceMonthSeconds":18.16,"invoiceMonthDurationMs":18154,"invoiceRerateSeconds":15.76,"invoices":10000,"intervals":1000000,"invoiceBaselineSeconds":0.26,"invoiceRatio":68.6,"events":50000,"quick":false,"targets":{"ingestEventsPerSec":5000,"invoiceMonthSeconds":10},"met":{"ingestEventsPerSec":false,"invoiceMonthSeconds":false}}';

/**
 * bench:hotplug: recorded from `npm run bench:hotplug -- --quick` on 2026-11-22, once the latency
 * stage split its overhead into where it goes, on a machine about half as fast as the 2026-11-21
 * one (CPU per saga about twice as much).
 */
export const HOTPLUG_SAMPLE = '{"sagasPerSec":129.1,"sagasCompleted":770,"sagaPairsPerSec":65.1,"sagaPairsCompleted":388,"cpuMsPerSaga":{"api":2.79,"worker":3.55,"simulator":3.04,"driver":0.68,"postgres":3.82,"redis":0.75,"others":0.56},"machineBusyPct":99,"bareBullmqJobsPerSec":10020,"ratioToBareBullmq":0.0129,"readyP50Ms":583,"readyP99Ms":956,"hostStepsP50Ms":205,"overheadP50Ms":127,"overheadP99Ms":213,"overheadWithHostWaitP50Ms":390,"overheadWithHostWaitP99Ms":817,"readyFromPostP99Ms":1066,"overheadFromPostP99Ms":314,"measuredBursts":1,"measuredExpansions":200,"overheadP99ByBurstMs":[213],"overheadBreakdownMs":{"postToDecision":{"p50":102,"p99":111,"n":200},"decisionToBegin":{"p50":73.9,"p99":150.9,"n":64},"beginToFirstStep":{"p50":12,"p99":36.6,"n":64},"handoff":{"p50":25,"p99":51,"n":136},"betweenSteps":{"p50":0,"p99":28,"n":200}},"coldReadyP50Ms":1002,"coldReadyP99Ms":1431,"coldOverheadP50Ms":219,"coldOverheadP99Ms":439,"targets":{"sagasPerSec":300,"overheadP99Ms":50},"meetsTargets":{"sagasPerSec":false,"overheadP99Ms":false}}';

/**
 * bench:replicas: `npm run bench:replicas -- --quick` on a machine busy with other test runs
 * (its `targets` field added when the bench started printing one).
 */
export const REPLICAS_SAMPLE = '{"trace":{"seed":20261121,"vms":300,"requests":900},"fleet":"rack64-seed20261121","quick":true,"oneByOne":{"apis":1,"workers":1,"sagasCompleted":1470,"completedSagasPerSec":53.6,"requestsPerSec":32.8,"wallSec":27.4,"accepted":801,"rejected":99,"readyP50Sec":4.561,"readyP99Sec":10.524,"answersByApi":[6291],"sagasByWorker":[1470],"operationsBegunTwice":0,"machineBusyPct":99,"cpuMsPerSaga":{"api":6.42,"worker":4.56,"simulator":3.65,"driver":3.49,"others":18.69},"invariantsHold":true,"problems":[]},"twoByTwo":{"apis":2,"workers":2,"sagasCompleted":1505,"completedSagasPerSec":35.7,"requestsPerSec":21.3,"wallSec":42.2,"accepted":820,"rejected":80,"readyP50Sec":4.852,"readyP99Sec":10.343,"answersByApi":[2299,2298],"sagasByWorker":[778,727],"operationsBegunTwice":0,"machineBusyPct":100,"cpuMsPerSaga":{"api":9.89,"worker":7.87,"simulator":4.31,"driver":3.11,"others":30.74},"invariantsHold":true,"problems":[]},"sagasPerSecRatio":0.666,"invariantsHold":true,"targets":{"sagasPerSecRatio":1}}';
