/**
 * The other process of `npm run bench -- cluster`: reads slot 0's stream
 * through the consumer group and, per entry, either echoes it on slot 1's
 * stream (latency rounds) or counts it (throughput rounds), acknowledging
 * after handling, as a node does. Argument: the Redis URL and key prefix.
 */
import { Redis } from 'ioredis';
import { SlotStream } from '../app/cluster/slot-stream.js';

const [url, prefix] = process.argv.slice(2) as [string, string];
const redis = new Redis(url);
const writer = new Redis(url);
const inbox = new SlotStream(redis, { prefix, slot: 0, group: 'node' });
const outbox = new SlotStream(writer, { prefix, slot: 1, group: 'coordinator' });
await inbox.ensureGroup();
let counted = 0;
process.send?.({ ready: true });
for (;;) {
  const { entries } = await inbox.read('echo', 500, 1000);
  if (entries.length === 0) continue;
  for (const e of entries) {
    const kind = e.payload[0];
    if (kind === 1) await outbox.send(e.token, e.payload);
    else if (kind === 2) counted++;
    else if (kind === 3) {
      await outbox.send(e.token, Buffer.from(JSON.stringify({ counted })));
      counted = 0;
    } else if (kind === 9) {
      await inbox.ack(entries.map((x) => x.id));
      redis.disconnect();
      writer.disconnect();
      process.exit(0);
    }
  }
  await inbox.ack(entries.map((x) => x.id));
}
