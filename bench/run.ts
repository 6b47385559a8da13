/**
 * `npm run bench` runs every suite; `npm run bench -- NAME [NAME...]` runs some.
 * Each suite prints a table and ends with one JSON line of its figures.
 */
const SUITES: Record<string, () => Promise<unknown>> = {
  codec: async () => (await import('./codec.js')).run(),
  hop: async () => (await import('./hop.js')).run(),
  memory: async () => (await import('./memory.js')).run(),
  restart: async () => (await import('./restart.js')).run(),
  'venue-stream': async () => (await import('./venue-stream.js')).run(),
  feeds: async () => (await import('./feeds.js')).run(),
  gateway: async () => (await import('./gateway.js')).run(),
  'tick-to-intent': async () => (await import('./tick-to-intent.js')).run(),
  // After tick-to-intent: it reads that suite's actors p50 when both run.
  live: async () => (await import('./live.js')).run(),
  backtest: async () => (await import('./backtest.js')).run(),
  cluster: async () => (await import('./cluster.js')).run(),
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(`usage: npm run bench [-- SUITE...]\nsuites: ${Object.keys(SUITES).join(', ')}`);
    return;
  }
  const unknown = wanted.filter((w) => !(w in SUITES));
  if (unknown.length > 0) {
    console.error(`unknown suite(s): ${unknown.join(', ')}; known: ${Object.keys(SUITES).join(', ')}`);
    process.exitCode = 2;
    return;
  }
  for (const name of wanted.length > 0 ? wanted : Object.keys(SUITES)) {
    console.log(`\n=== ${name} ===`);
    await SUITES[name]();
  }
}

await main();
