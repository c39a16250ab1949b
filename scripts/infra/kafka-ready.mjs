// Asks a Kafka broker once whether it is ready: exit 0 if it answers a Metadata
// request with at least one broker and an elected controller. An open port alone
// is not "ready" (the socket opens before the broker has registered with the
// KRaft quorum). One probe per call, because the waiting loop lives in
// scripts/infra/common.sh, which also notices a broker that died meanwhile.
// Dependency-free on purpose: it runs before `npm ci` may have happened.
//
//   node scripts/infra/kafka-ready.mjs 127.0.0.1:9092
import net from 'node:net';

const [hostPort = '127.0.0.1:9092'] = process.argv.slice(2);
const [host, port] = hostPort.split(':');

// Metadata v1 (api key 3): request header v1 + an empty topic array.
function metadataRequest() {
  const clientId = Buffer.from('audit-router-wait');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4);
  let o = 0;
  o = body.writeInt16BE(3, o);
  o = body.writeInt16BE(1, o);
  o = body.writeInt32BE(1, o);
  o = body.writeInt16BE(clientId.length, o);
  o += clientId.copy(body, o);
  body.writeInt32BE(0, o);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

// Returns { brokers, controllerId } from a Metadata v1 response body.
function parseMetadata(buf) {
  let o = 4; // correlation id
  const brokers = buf.readInt32BE(o);
  o += 4;
  for (let i = 0; i < brokers; i++) {
    o += 4; // node id
    o += 2 + buf.readInt16BE(o); // host
    o += 4; // port
    const rack = buf.readInt16BE(o);
    o += 2 + Math.max(rack, 0);
  }
  return { brokers, controllerId: buf.readInt32BE(o) };
}

function probe() {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) });
    let data = Buffer.alloc(0);
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(3000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write(metadataRequest()));
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (data.length < 4 || data.length < 4 + data.readInt32BE(0)) return;
      try {
        const { brokers, controllerId } = parseMetadata(data.subarray(4));
        done(brokers > 0 && controllerId >= 0);
      } catch {
        done(false);
      }
    });
  });
}

process.exit((await probe()) ? 0 : 1);
