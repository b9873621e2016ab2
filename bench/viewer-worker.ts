/**
 * Simulated viewers for the viewers benchmark, in their own thread (as if on other machines):
 * `count` WebSocket clients subscribe to a run and note when each record arrives.
 */
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

const { url, runId, count } = workerData as { url: string; runId: number; count: number };
const now = () => performance.timeOrigin + performance.now();
const arrivals: number[] = []; // pairs: step, arrival time (ms since epoch)
let subscribed = 0;
let gaps = 0;
const sockets: WebSocket[] = [];

for (let v = 0; v < count; v++) {
  const ws = new WebSocket(url);
  sockets.push(ws);
  let last = -1;
  ws.on('message', (data) => {
    const t = now();
    const message = JSON.parse(data.toString()) as { type: string; seq?: number; fromSeq?: number; toSeq?: number; data?: number[][] };
    if (message.type === 'snapshot') {
      last = message.seq!;
      subscribed += 1;
      if (subscribed === count) parentPort!.postMessage({ type: 'ready' });
    } else if (message.type === 'frame') {
      if (message.fromSeq !== last + 1) gaps += 1;
      last = message.toSeq!;
      for (const step of message.data![0]) arrivals.push(step, t);
    }
  });
  ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', runId })));
}

parentPort!.on('message', (message: { type: string }) => {
  if (message.type === 'reset') arrivals.length = 0;
  if (message.type === 'report') {
    parentPort!.postMessage({ type: 'report', arrivals: Float64Array.from(arrivals), gaps });
    for (const ws of sockets) ws.close();
  }
});
